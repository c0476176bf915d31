/// A small grayscale line chart (a PNG with no dependencies): axes, ticks labelled with a 3x5
/// pixel digit font, and up to four series told apart by grey level and dash pattern. Model
/// cards use it for the validation Parzen curve against epochs.
public struct LinePlot {
    public struct Series {
        public var points: [(x: Double, y: Double)]
        public init(points: [(x: Double, y: Double)]) { self.points = points }
    }

    public static let maximumSeries = 4
    /// Values beyond this magnitude are left out (a plot cannot show them, and tick arithmetic
    /// on them would overflow); `gan plot` refuses them before they get here.
    public static let maximumMagnitude = 1e12
    public var width = 480, height = 270
    public var series: [Series]
    static let margin = (left: 40, right: 12, top: 10, bottom: 22)
    /// Grey level and dash length (0 = solid) of series 0, 1, 2, 3.
    static let styles: [(grey: UInt8, dash: Int)] = [(0, 0), (110, 6), (0, 2), (170, 0)]

    public init(series: [Series]) { self.series = series }

    public var png: [UInt8] {
        var canvas = Canvas(width: width, height: height)
        let all = series.flatMap(\.points).filter(Self.plottable)
        guard let xMin = all.map(\.x).min(), let xMax = all.map(\.x).max(),
              let yMin = all.map(\.y).min(), let yMax = all.map(\.y).max() else { return canvas.png }
        let xTicks = Self.ticks(xMin, xMax), yTicks = Self.ticks(yMin, yMax)
        let m = Self.margin
        let (left, right, top, bottom) = (m.left, width - m.right, m.top, height - m.bottom)
        let (x0, x1) = (min(xMin, xTicks.first!), max(xMax, xTicks.last!))
        let (y0, y1) = (min(yMin, yTicks.first!), max(yMax, yTicks.last!))
        func px(_ x: Double) -> Int { left + Int(((x - x0) / max(x1 - x0, 1e-12) * Double(right - left)).rounded()) }
        func py(_ y: Double) -> Int { bottom - Int(((y - y0) / max(y1 - y0, 1e-12) * Double(bottom - top)).rounded()) }
        canvas.line(left, bottom, right, bottom, grey: 0)
        canvas.line(left, top, left, bottom, grey: 0)
        for x in xTicks {
            canvas.line(px(x), bottom, px(x), bottom + 3, grey: 0)
            canvas.text(Self.label(x), centredAt: px(x), top: bottom + 6)
        }
        for y in yTicks {
            canvas.line(left - 3, py(y), left, py(y), grey: 0)
            canvas.line(left + 1, py(y), right, py(y), grey: 225)
            canvas.text(Self.label(y), rightAt: left - 5, centreY: py(y))
        }
        for (index, line) in series.prefix(Self.styles.count).enumerated() {
            let style = Self.styles[index]
            let points = line.points.filter(Self.plottable)
            for (a, b) in zip(points, points.dropFirst()) {
                canvas.line(px(a.x), py(a.y), px(b.x), py(b.y), grey: style.grey, dash: style.dash)
            }
        }
        return canvas.png
    }

    static func plottable(_ point: (x: Double, y: Double)) -> Bool {
        abs(point.x) <= maximumMagnitude && abs(point.y) <= maximumMagnitude
    }

    /// About five round tick values covering [low, high].
    public static func ticks(_ low: Double, _ high: Double) -> [Double] {
        // At least a millionth of the values' size: below that, Double cannot step between them.
        let span = max(high - low, max(abs(high), abs(low)) * 1e-6, 1e-9)
        let raw = span / 5
        let magnitude = pow10(Int((raw.magnitudeLog10()).rounded(.down)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (low / step).rounded(.down) * step
        return stride(from: first, through: high + step * 0.999, by: step).map { $0 }
    }

    public static func ticksForTesting(_ low: Double, _ high: Double) -> [Double] { ticks(low, high).map { ($0 * 100).rounded() / 100 } }

    static func label(_ value: Double) -> String {
        value.rounded() == value || abs(value) >= 100 ? String(Int(value.rounded())) : String(Double(Int((value * 10).rounded())) / 10)
    }

    static func pow10(_ exponent: Int) -> Double {
        exponent >= 0 ? (0..<exponent).reduce(1.0) { r, _ in r * 10 } : (0..<(-exponent)).reduce(1.0) { r, _ in r / 10 }
    }
}

extension Double {
    /// log10 by repeated division (GANImages has no libm dependency).
    func magnitudeLog10() -> Double {
        var value = abs(self), exponent = 0.0
        guard value > 0 else { return 0 }
        while value >= 10 { value /= 10; exponent += 1 }
        while value < 1 { value *= 10; exponent -= 1 }
        return exponent
    }
}

/// A white grayscale bitmap with lines and digit labels.
struct Canvas {
    let width: Int, height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height)
    }

    var png: [UInt8] { PNG.encodeGray(pixels: pixels, width: width, height: height) }

    mutating func set(_ x: Int, _ y: Int, _ grey: UInt8) {
        guard (0..<width).contains(x), (0..<height).contains(y) else { return }
        pixels[y * width + x] = min(pixels[y * width + x], grey)
    }

    /// Bresenham; `dash` > 0 draws `dash` pixels on, `dash` off.
    mutating func line(_ xa: Int, _ ya: Int, _ xb: Int, _ yb: Int, grey: UInt8, dash: Int = 0) {
        var (x, y) = (xa, ya)
        let dx = abs(xb - xa), dy = -abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1
        var error = dx + dy, count = 0
        while true {
            if dash == 0 || (count / dash) % 2 == 0 { set(x, y, grey) }
            count += 1
            if x == xb && y == yb { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// 3x5 glyphs for 0-9, '-' and '.', one row of bits (MSB left) per line.
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        "-": [0, 0, 7, 0, 0], ".": [0, 0, 0, 0, 2],
    ]

    mutating func text(_ string: String, left: Int, top: Int) {
        for (index, character) in string.enumerated() {
            guard let rows = Self.glyphs[character] else { continue }
            for (row, bits) in rows.enumerated() {
                for column in 0..<3 where bits & (4 >> column) != 0 { set(left + index * 4 + column, top + row, 0) }
            }
        }
    }

    mutating func text(_ string: String, centredAt x: Int, top: Int) { text(string, left: x - (string.count * 4 - 1) / 2, top: top) }
    mutating func text(_ string: String, rightAt x: Int, centreY y: Int) { text(string, left: x - string.count * 4 + 1, top: y - 2) }
}
