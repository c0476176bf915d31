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

    /// Structural mutations (Tests/hostile/mutate_structure.py, h5py): attribute types, sizes
    /// and dataspaces, dataset types, shapes and layouts (external storage on an outside file,
    /// virtual), filter pipelines, links, and bytes of object headers. Each mutant goes through
    /// `gan inspect`, `gan train --resume` and `gan export`, under a deadline and the memory limit: exit 0 or
    /// 1, never a signal or a hang, never a byte of the outside file in the output.
    @Test func weightsLoaderSurvivesStructuralMutations() throws {
        let folder = try Hostile.workspace()
        let count = 40 * Self.rounds
        let script = Support.packageRoot + "/Tests/hostile/mutate_structure.py"
        let made = try Support.run("/usr/bin/env", ["python3", script, folder + "/seed.h5", folder + "/mutants", String(count),
                                                    "1406", folder + "/secret.txt"], timeout: 600)
        try #require(made.status == 0, "mutate_structure.py failed (needs h5py: `make test` installs it): \(made.output)")
        let operations = Dictionary(made.stdout.split(separator: "\n").map { line in
            (String(line.prefix { $0 != " " }), String(line.drop { $0 != " " }.dropFirst()))
        }) { first, _ in first }
        var outcomes: [String: Int] = [:]
        for index in 0..<count {
            let name = String(format: "mutant-%04d.h5", index), path = folder + "/mutants/" + name
            for arguments in [["inspect", path], ["train", "--resume", path, "--epochs", "1", "--out", folder + "/resumed.h5"],
                              ["export", path, "--out", folder + "/exported.safetensors"]] {
                let run = try Hostile.gan(arguments, timeout: 30)
                let outcome = run.timedOut ? "hang" : run.signaled ? "signal \(run.status)" : "exit \(run.status)"
                outcomes["\(arguments[0]) \(outcome)", default: 0] += 1
                Hostile.expectNoSecret(run)
                if run.timedOut || run.signaled || run.status > 1 {
                    let kept = Self.failures + "/structural-\(index).h5"
                    try? FileManager.default.copyItem(atPath: path, toPath: kept)
                    Issue.record("gan \(arguments[0]): \(outcome) on \(operations[name] ?? name) (kept as \(kept)): \(run.stderr.suffix(300))")
                } else if run.status == 1 {
                    #expect(run.errorLines.count == 1 && run.stderr.contains(path), "\(operations[name] ?? name): \(run.stderr.suffix(300))")
                }
            }
        }
        let figures = outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("fuzz: structural HDF5 mutations, \(count) files: \(figures)")
    }
}
