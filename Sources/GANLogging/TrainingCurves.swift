import Foundation
import GANImages

/// The curves of a training run, drawn as an SVG that any browser shows: the two losses;
/// D(x) and D(G(z)) with the 1/2 line where they meet at the game's equilibrium; and, when
/// given, the validation scores of `--validate-every`.
public struct TrainingCurves {
    public struct Point: Equatable, Sendable {
        public var x: Double
        public var discriminatorLoss, generatorLoss, realScore, fakeScore: Double
        public init(x: Double, discriminatorLoss: Double, generatorLoss: Double, realScore: Double, fakeScore: Double) {
            (self.x, self.discriminatorLoss, self.generatorLoss) = (x, discriminatorLoss, generatorLoss)
            (self.realScore, self.fakeScore) = (realScore, fakeScore)
        }
    }

    public var title: String
    public var xLabel: String
    public var points: [Point]
    /// (x, validation Parzen log-likelihood) on the same x axis.
    public var validation: [(x: Double, y: Double)]

    public init(title: String, xLabel: String = "epoch", points: [Point], validation: [(x: Double, y: Double)] = []) {
        self.title = title
        self.xLabel = xLabel
        self.points = points
        self.validation = validation
    }

    /// From a metrics log: the epoch rows when there are two or more, else every row, with x in
    /// epochs (fractional within an epoch) once an epoch has ended, in steps before.
    public init(title: String, rows: [MetricsRow]) {
        let ends = rows.filter(\.epochEnd)
        let chosen = ends.count >= 2 ? ends : rows
        let stepsPerEpoch = ends.first.map { Double($0.step) / Double(max($0.epoch, 1)) }
        let points = chosen.map { row in
            Point(x: stepsPerEpoch.map { Double(row.epoch - 1) + Double(row.epochSteps) / $0 } ?? Double(row.step),
                  discriminatorLoss: Double(row.discriminatorLoss), generatorLoss: Double(row.generatorLoss),
                  realScore: Double(row.realScore), fakeScore: Double(row.fakeScore))
        }
        self.init(title: title, xLabel: stepsPerEpoch == nil ? "step" : "epoch", points: points)
    }

    struct Line {
        var name: String
        var colour: String
        var dash: String?
        var points: [(x: Double, y: Double)]
    }

    struct Panel {
        var title: String
        var lines: [Line]
        var reference: Double?
    }

    var panels: [Panel] {
        var panels = [
            Panel(title: "losses", lines: [
                Line(name: "D loss", colour: "#1f77b4", points: points.map { ($0.x, $0.discriminatorLoss) }),
                Line(name: "G loss", colour: "#d95f02", points: points.map { ($0.x, $0.generatorLoss) }),
            ]),
            Panel(title: "discriminator outputs (equilibrium: 1/2)", lines: [
                Line(name: "D(x)", colour: "#1b9e77", points: points.map { ($0.x, $0.realScore) }),
                Line(name: "D(G(z))", colour: "#d62728", points: points.map { ($0.x, $0.fakeScore) }),
            ], reference: 0.5),
        ]
        if !validation.isEmpty {
            panels.append(Panel(title: "validation Parzen log-likelihood (higher is better)", lines: [
                Line(name: "validation", colour: "#7570b3", points: validation),
            ]))
        }
        return panels
    }

    static let width = 720.0, panelHeight = 230.0
    static let margin = (left: 64.0, right: 20.0, top: 34.0, bottom: 40.0)

    public var svg: String {
        let panels = self.panels
        let height = 40 + Double(panels.count) * Self.panelHeight
        var svg = SVG(width: Self.width, height: height)
        svg.text(title, x: Self.width / 2, y: 24, size: 15, anchor: "middle", weight: "bold")
        for (index, panel) in panels.enumerated() {
            draw(panel, top: 40 + Double(index) * Self.panelHeight, into: &svg)
        }
        return svg.document
    }

    private func draw(_ panel: Panel, top: Double, into svg: inout SVG) {
        let m = Self.margin
        let (left, right) = (m.left, Self.width - m.right)
        let (plotTop, bottom) = (top + m.top, top + Self.panelHeight - m.bottom)
        svg.text(panel.title, x: left, y: top + 18, size: 13, anchor: "start", weight: "bold")
        let all = panel.lines.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && abs($0.y) <= 1e12 && abs($0.x) <= 1e12 }
        guard let xMin = all.map(\.x).min(), let xMax = all.map(\.x).max(),
              var yMin = all.map(\.y).min(), var yMax = all.map(\.y).max() else {
            svg.text("no data", x: (left + right) / 2, y: (plotTop + bottom) / 2, size: 12, anchor: "middle")
            return
        }
        if let reference = panel.reference { (yMin, yMax) = (min(yMin, reference), max(yMax, reference)) }
        let xTicks = LinePlot.ticks(xMin, xMax), yTicks = LinePlot.ticks(yMin, yMax)
        let (x0, x1) = (min(xMin, xTicks.first!), max(xMax, xTicks.last!))
        let (y0, y1) = (min(yMin, yTicks.first!), max(yMax, yTicks.last!))
        func px(_ x: Double) -> Double { left + (x - x0) / max(x1 - x0, 1e-12) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / max(y1 - y0, 1e-12) * (bottom - plotTop) }
        for y in yTicks where y >= y0 && y <= y1 {
            svg.line(left, py(y), right, py(y), colour: "#e5e5e5")
            svg.text(Self.label(y), x: left - 6, y: py(y) + 4, size: 11, anchor: "end")
        }
        for x in xTicks where x >= x0 && x <= x1 {
            svg.line(px(x), bottom, px(x), bottom + 4, colour: "#000")
            svg.text(Self.label(x), x: px(x), y: bottom + 17, size: 11, anchor: "middle")
        }
        svg.line(left, bottom, right, bottom, colour: "#000")
        svg.line(left, plotTop, left, bottom, colour: "#000")
        svg.text(xLabel, x: (left + right) / 2, y: bottom + 33, size: 11, anchor: "middle")
        if let reference = panel.reference {
            svg.line(left, py(reference), right, py(reference), colour: "#777", dash: "6 4")
            svg.text("1/2", x: right - 2, y: py(reference) - 4, size: 10, anchor: "end")
        }
        for line in panel.lines {
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite && abs($0.y) <= 1e12 && abs($0.x) <= 1e12 }
            svg.polyline(points.map { (px($0.x), py($0.y)) }, colour: line.colour, dash: line.dash,
                         markers: points.count <= 40)
        }
        for (index, line) in panel.lines.enumerated() {
            let x = right - 170 + Double(index) * 85
            svg.line(x, top + 14, x + 18, top + 14, colour: line.colour, width: 2)
            svg.text(line.name, x: x + 22, y: top + 18, size: 11, anchor: "start")
        }
    }

    /// A tick label: whole numbers plainly, others with up to 4 significant digits.
    static func label(_ value: Double) -> String {
        if value.rounded() == value && abs(value) < 1e9 { return String(Int(value)) }
        var text = String(format: "%.4g", value)
        if text.contains(".") && !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
        }
        return text
    }
}

/// Just enough SVG for line charts.
struct SVG {
    let width: Double, height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    var document: String {
        ([String(format: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                 + "font-family=\"Helvetica, Arial, sans-serif\">", width, height, width, height),
          "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"] + body + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    /// Text for an SVG (XML 1.0) text node or attribute: markup characters as entities, and the
    /// control characters XML cannot hold even as references (a run name, a file's title) as U+FFFD.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let invalid = scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF
                result.unicodeScalars.append(invalid ? "\u{FFFD}" : scalar)
            }
        }
        return result
    }

    mutating func text(_ text: String, x: Double, y: Double, size: Int, anchor: String, weight: String = "normal") {
        body.append(String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%@\" font-weight=\"%@\">%@</text>",
                           x, y, size, anchor, weight, Self.escaped(text)))
    }

    mutating func line(_ xa: Double, _ ya: Double, _ xb: Double, _ yb: Double, colour: String, width: Double = 1, dash: String? = nil) {
        body.append(String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"%.1f\"%@/>",
                           xa, ya, xb, yb, colour, width, dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""))
    }

    mutating func polyline(_ points: [(Double, Double)], colour: String, dash: String?, markers: Bool) {
        guard !points.isEmpty else { return }
        let coordinates = points.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
        body.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.6\"" + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")
                    + " points=\"\(coordinates)\"/>")
        if markers || points.count == 1 {
            for (x, y) in points {
                body.append(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%@\"/>", x, y, colour))
            }
        }
    }
}
