import Foundation
import GANData
import Testing

@Suite("IDX data")
struct DataTests {
    @Test func shippedSubsetHas400TrainAnd100TestImagesPerDigit() throws {
        let folder = try DatasetFolder.shippedSubset()
        let train = try folder.load(.train), test = try folder.load(.test)
        #expect(train.count == 4000 && test.count == 1000)
        #expect(train.sampleShape == [28, 28])
        for digit in 0..<10 {
            #expect(train.labels.filter { $0 == digit }.count == 400)
            #expect(test.labels.filter { $0 == digit }.count == 100)
        }
        #expect(train.images.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(train.images.contains(1) && train.images.contains(0))
        let fours = try train.filtered(labels: [4], source: folder.path)
        #expect(fours.count == 400 && fours.labels.allSatisfy { $0 == 4 })
    }

    @Test func roundTripsAndReadsGzipAndPlainAlike() throws {
        let array = IDXArray(shape: [2, 3, 2], bytes: Array(0..<12))
        let parsed = try IDXArray(parsing: array.encoded, path: "x")
        #expect(parsed == array)
        // The shipped files are gzip: decompressing by hand and re-reading gives the same array.
        let folder = try DatasetFolder.shippedSubset().path
        let gz = try IDXArray(contentsOf: folder + "/t10k-labels-idx1-ubyte.gz")
        let plainPath = Support.temporaryFolder() + "/labels-idx1-ubyte"
        try Data(gz.encoded).write(to: URL(fileURLWithPath: plainPath))
        #expect(try IDXArray(contentsOf: plainPath) == gz)
    }

    static func error(_ bytes: [UInt8]) -> String {
        do {
            _ = try IDXArray(parsing: bytes, path: "f.idx")
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func malformedHeadersAreNamed() {
        let good = IDXArray(shape: [2, 2], bytes: [1, 2, 3, 4]).encoded
        #expect(Self.error([0x50, 0x4B, 3, 4] + good.dropFirst(4)).contains("wrong magic number 0x504b0304"))
        #expect(Self.error(Array(good.prefix(6))).contains("truncated"))
        #expect(Self.error(Array(good.dropLast())).contains("truncated: header [2, 2] needs 4 data bytes, file has 3"))
        #expect(Self.error(good + [9]).contains("size mismatch"))
        #expect(Self.error([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]).contains("element type 0xd"))
        #expect(Self.error([0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).contains("too large"))
        #expect(Self.error([0, 0]).hasPrefix("f.idx: truncated"))
    }

    @Test func damagedGzipIsNamed() throws {
        let folder = try DatasetFolder.shippedSubset().path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte.gz"))
        let scratch = Support.temporaryFolder()
        let truncated = scratch + "/truncated.gz", corrupt = scratch + "/corrupt.gz"
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: truncated))
        var damaged = [UInt8](bytes)
        for index in stride(from: 100, to: 400, by: 7) { damaged[index] ^= 0x5A }
        try Data(damaged).write(to: URL(fileURLWithPath: corrupt))
        #expect(throws: DataError.corrupt(path: truncated, reason: "gzip stream ends early (truncated file)")) {
            try IDXArray(contentsOf: truncated)
        }
        do {
            _ = try IDXArray(contentsOf: corrupt)
            Issue.record("a corrupt gzip stream was accepted")
        } catch {
            #expect(error.description.hasPrefix(corrupt))
        }
    }

    @Test func mismatchedLabelsAndMissingFilesAreNamed() throws {
        let scratch = Support.temporaryFolder()
        try Data(IDXArray(shape: [3, 2, 2], bytes: Array(repeating: 0, count: 12)).encoded)
            .write(to: URL(fileURLWithPath: scratch + "/train-images-idx3-ubyte"))
        try Data(IDXArray(shape: [2], bytes: [1, 2]).encoded)
            .write(to: URL(fileURLWithPath: scratch + "/train-labels-idx1-ubyte"))
        let folder = try DatasetFolder(path: scratch)
        #expect(throws: DataError.self) { try folder.load(.train) }
        do { _ = try folder.load(.train) } catch { #expect(error.description.contains("holds 3 images but")) }
        do { _ = try folder.load(.test) } catch { #expect(error.description.contains("no t10k-images-idx3-ubyte")) }
        let fours = Dataset(images: [0, 0, 0, 0], labels: [1], sampleShape: [2, 2])
        #expect(throws: DataError.self) { try fours.filtered(labels: [4], source: "x") }
    }
}
