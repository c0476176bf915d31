import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GANLogging
import GANZoo
import Testing

/// CRC-32C and TFRecord framing, the metrics log, the SVG curves.
@Suite("curves and logs: formats")
struct CurvesAndLogsFormatTests {
    @Test func crc32cMatchesKnownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 (iSCSI), appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        // ((0xE3069283 >> 15) | (0xE3069283 << 17)) + 0xa282ead8, as tensorboard's masked_crc32c gives.
        #expect(CRC32C.masked(Array("123456789".utf8)) == 0xC78A_B0E5)
    }

    @Test func tfrecordFramesLengthDataAndBothMaskedChecksums() {
        let data = Array("an event".utf8)
        let frame = TFRecord.frame(data)
        func word(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(frame[at + $1]) << (8 * $1) } }
        #expect(frame.count == 8 + 4 + data.count + 4)
        #expect(Array(frame[0..<8]) == [UInt8(data.count), 0, 0, 0, 0, 0, 0, 0])
        #expect(word(8) == CRC32C.masked(frame[0..<8]))
        #expect(Array(frame[12..<(12 + data.count)]) == data)
        #expect(word(12 + data.count) == CRC32C.masked(data))
    }

    static func row(step: Int, end: Bool = false, loss: Float = 0.6931472) -> MetricsRow {
        MetricsRow(epoch: 1 + step / 10, step: step, epochEnd: end, epochSteps: step % 10 == 0 ? 10 : step % 10,
                   discriminatorLoss: loss, generatorLoss: 1.0 / 3, realScore: 0.7, fakeScore: 0.3,
                   generatorLearningRate: 1e-5, discriminatorLearningRate: 0.1, generatorMomentum: 0.5,
                   discriminatorMomentum: 0.55, samplesPerSecond: 1234.5, elapsedSeconds: 2.25)
    }

    @Test func aMetricsRowIsOneJSONLineThatReadsBackToTheSameFloats() throws {
        let row = Self.row(step: 7)
        let line = row.jsonLine
        #expect(!line.contains("\n") && line.hasPrefix(#"{"epoch": 1, "step": 7, "epoch_end": false"#), "\(line)")
        #expect(line.contains(#""generator_loss": 0.33333334"#) && line.contains(#""generator_learning_rate": 1e-05"#), "\(line)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == Set(MetricsRow.columns) && MetricsRow.columns.count == 14)
        #expect(try MetricsRow(jsonLine: Substring(line)) == row)
    }

    @Test func resumingALogKeepsRowsUpToTheCheckpointAndRefusesOtherFiles() throws {
        let folder = Support.temporaryFolder()
        let path = folder + "/w.h5.metrics.jsonl"
        let log = try MetricsLog(path: path, continuingAt: 0)
        for step in [5, 10, 15, 20, 25] { try log.append(Self.row(step: step, end: step % 10 == 0)) }
        // A run killed while writing leaves half a line: left out, not an error.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"epoch": 3, "st"#.utf8))
        try handle.close()
        #expect(try MetricsLog.rows(of: path).map(\.step) == [5, 10, 15, 20, 25])

        let resumed = try MetricsLog(path: path, continuingAt: 15)
        try resumed.append(Self.row(step: 20, loss: 0.25))
        #expect(try MetricsLog.rows(of: path).map(\.step) == [5, 10, 15, 20])
        #expect(try MetricsLog.rows(of: path).last?.discriminatorLoss == 0.25)
        _ = try MetricsLog(path: path, continuingAt: 0)
        #expect(try MetricsLog.rows(of: path).isEmpty, "a fresh run starts anew")

        let foreign = folder + "/notes.txt"
        try "my notes\nline two\n".write(toFile: foreign, atomically: true, encoding: .utf8)
        #expect(throws: MetricsLog.Failure.self) { try MetricsLog(path: foreign, continuingAt: 0) }
        #expect(try String(contentsOfFile: foreign, encoding: .utf8) == "my notes\nline two\n", "refused, never overwritten")
    }

    /// The coordinates of each polyline, in drawing order.
    static func polylines(_ svg: String) -> [[(Double, Double)]] {
        svg.components(separatedBy: "<polyline").dropFirst().map { part in
            let points = part.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }
            return points.split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            }
        }
    }

    @Test func theCurvesDrawEveryPointAndTheOneHalfLineWhereTheScoresMeet() throws {
        let dLoss = [1.3, 1.1, 0.9], gLoss = [0.5, 1.0, 1.5], real = [0.9, 0.7, 0.5], fake = [0.1, 0.3, 0.5]
        let points = (0..<3).map { i in
            TrainingCurves.Point(x: Double(i + 1), discriminatorLoss: dLoss[i], generatorLoss: gLoss[i], realScore: real[i], fakeScore: fake[i])
        }
        let svg = TrainingCurves(title: "a <run>", points: points, validation: [(1, -200), (3, -150)]).svg
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("a &lt;run&gt;") && !svg.contains("<run>"), "text is escaped")
        // Control characters (a hostile file's title) cannot appear in XML 1.0, not even as
        // references: they become U+FFFD, and the document still parses.
        let hostile = TrainingCurves(title: "bad\u{1}\u{1b}[31m\u{0}title", points: points, validation: []).svg
        #expect(!hostile.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
        #expect(hostile.contains("bad\u{FFFD}\u{FFFD}[31m\u{FFFD}title"))
        #if canImport(FoundationXML)
        #expect((try? XMLDocument(xmlString: hostile)) != nil, "the SVG is well-formed XML")
        #endif
        let lines = Self.polylines(svg)
        #expect(lines.map { $0.count } == [3, 3, 3, 3, 2], "D loss, G loss, D(x), D(G(z)), validation")
        // Within a panel, x grows with the epoch and a larger value sits higher (smaller y).
        #expect(lines[0][0].0 < lines[0][1].0 && lines[0][0].1 < lines[0][2].1, "D loss falls")
        #expect(lines[1][0].1 > lines[1][2].1, "G loss rises")
        // D(x) and D(G(z)) meet at 1/2 in epoch 3, on the dashed equilibrium line.
        let meet = lines[2][2]
        #expect(meet.0 == lines[3][2].0 && meet.1 == lines[3][2].1)
        let reference = try #require(svg.components(separatedBy: "\n").first { $0.contains("stroke-dasharray=\"6 4\"") })
        #expect(reference.contains(String(format: "y1=\"%.1f\"", meet.1)), "\(reference) vs \(meet)")
        #expect(svg.contains("validation Parzen"))
        #expect(!TrainingCurves(title: "t", points: points).svg.contains("validation Parzen"), "no validation panel without scores")
    }
}
