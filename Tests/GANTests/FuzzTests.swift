import Foundation
import GANData
import GANTensor
import GANZoo
import Testing

/// Seeded mutation fuzzing of the two readers of untrusted files. Bounded in time for CI;
/// set GAN_FUZZ_ROUNDS for longer runs.
@Suite("Fuzzing the IDX reader and the weights loader", .serialized)
struct FuzzTests {
    static let rounds = Int(ProcessInfo.processInfo.environment["GAN_FUZZ_ROUNDS"] ?? "") ?? 1
    static let corpus = Support.packageRoot + "/Tests/fuzz-corpus"
    static let failures = ProcessInfo.processInfo.environment["GAN_FUZZ_FAILURES"] ?? Support.temporaryFolder("fuzz-failures")

    /// One mutation: bit flips, a truncation, a random block, a duplicated slice, or a changed
    /// header integer.
    static func mutate(_ seed: [UInt8], _ rng: inout RandomGenerator) -> [UInt8] {
        var bytes = seed
        guard !bytes.isEmpty else { return [UInt8(truncatingIfNeeded: rng.next())] }
        switch rng.next() % 5 {
        case 0:
            for _ in 0..<(1 + Int(rng.next() % 16)) {
                let index = Int(rng.next() % UInt64(bytes.count))
                bytes[index] ^= UInt8(1 << (rng.next() % 8))
            }
        case 1:
            bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
        case 2:
            let start = Int(rng.next() % UInt64(bytes.count))
            for index in start..<min(bytes.count, start + 1 + Int(rng.next() % 64)) { bytes[index] = UInt8(truncatingIfNeeded: rng.next()) }
        case 3:
            let start = Int(rng.next() % UInt64(bytes.count))
            let slice = bytes[start..<min(bytes.count, start + 1 + Int(rng.next() % 256))]
            bytes.insert(contentsOf: slice, at: Int(rng.next() % UInt64(bytes.count)))
        default:
            let index = Int(rng.next() % UInt64(max(bytes.count - 3, 1)))
            let value = [0, 1, 0x7f, 0xff, 0x80][Int(rng.next() % 5)]
            for offset in 0..<min(4, bytes.count - index) { bytes[index + offset] = UInt8(value) }
        }
        return bytes
    }

    static func seedFiles(_ kind: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus + "/" + kind)) ?? []).sorted().map { corpus + "/\(kind)/" + $0 }
    }

    @Test func idxReaderNeverCrashes() throws {
        let shipped = try DatasetFolder.shippedSubset().path
        let labels = try [UInt8](Data(contentsOf: URL(fileURLWithPath: shipped + "/t10k-labels-idx1-ubyte.gz")))
        let small = IDXArray(shape: [3, 4, 5], bytes: (0..<60).map { UInt8($0) }).encoded
        var seeds = [small, labels, try IDXArray(contentsOf: shipped + "/t10k-labels-idx1-ubyte.gz").encoded]
        seeds += try Self.seedFiles("idx").map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
        var rng = RandomGenerator(seed: 2026)
        var accepted = 0, refused = 0
        let count = 4000 * Self.rounds
        for round in 0..<count {
            let input = round < seeds.count ? seeds[round] : Self.mutate(seeds[round % seeds.count], &rng)
            // Written first, so a crash leaves the input behind.
            try Data(input).write(to: URL(fileURLWithPath: Self.failures + "/idx-current"))
            do {
                let array = try IDXArray(fileBytes: input, path: "fuzz")
                #expect(array.bytes.count == array.shape.reduce(1, *))
                accepted += 1
            } catch {
                #expect(error.description.hasPrefix("fuzz"), "an error that does not name the file: \(error)")
                refused += 1
            }
        }
        print("fuzz: IDX reader, \(count) inputs: \(accepted) parsed, \(refused) refused with an error, no crash")
        #expect(accepted + refused == count && refused > count / 2)
    }

    @Test func weightsLoaderNeverCrashesTheCommandLine() throws {
        let binary = try #require(Support.ganBinary)
        let folder = Support.temporaryFolder()
        var configuration = Support.tinyConfiguration()
        configuration.architecture = "mlp-batchnorm"
        configuration.architectureConfiguration = nil
        let session = try TrainingSession(configuration: configuration)
        _ = try session.step()
        try session.save(to: folder + "/seed.h5")
        var seeds = [try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/seed.h5")))]
        seeds += try Self.seedFiles("hdf5").map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
        var rng = RandomGenerator(seed: 1406_2661)
        var statuses: [Int32: Int] = [:]
        let count = 150 * Self.rounds
        for round in 0..<count {
            let input = round < seeds.count ? seeds[round] : Self.mutate(seeds[round % seeds.count], &rng)
            let path = folder + "/input.h5"
            try Data(input).write(to: URL(fileURLWithPath: path))
            let run = try Support.run(binary, ["inspect", path], timeout: 30)
            statuses[run.status, default: 0] += 1
            if run.status != 0 && run.status != 1 {
                let kept = Self.failures + "/hdf5-\(round).h5"
                try? FileManager.default.copyItem(atPath: path, toPath: kept)
                Issue.record("gan inspect exited \(run.status) on a mutated file (kept as \(kept)): \(run.stderr.suffix(300))")
            } else if run.status == 1 {
                #expect(run.stderr.contains(path), "the error names the file: \(run.stderr)")
            }
        }
        print("fuzz: weights loader (gan inspect), \(count) inputs: \(statuses[0] ?? 0) loaded, \(statuses[1] ?? 0) refused with an error")
    }
}
