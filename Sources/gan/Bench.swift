import ArgumentParser
import Foundation
import GANCore
import GANTensor
import GANZoo

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training iterations/s, achieved GFLOP/s against this machine's sgemm on the same shapes, and sampling speed.",
        discussion: """
            One iteration = one discriminator step on B real + B generated samples and one generator step on B \
            fresh noise vectors (alternating, k = 1, SGD with momentum). "seed-mlp" is the seed's small MLP \
            (G 100-128-784, D 784-128-1). Figures are medians over --repeats runs.
            """)

    @Option(help: "Architectures to measure (repeatable): registered names or seed-mlp. (default: seed-mlp and every registered one)")
    var arch: [String] = []

    @Option(name: .customLong("batch-size"), help: "Batch sizes (repeatable). (default: 64, 100, 256)")
    var batchSize: [Int] = []

    @Option(help: "BLAS threads (repeatable; 0 = all cores, reported as the count). (default: 1 and all cores)")
    var threads: [Int] = []

    @Option(help: "Seconds per timed run.")
    var seconds: Double = 1

    @Option(help: "Timed runs per figure (the median is reported).")
    var repeats = 5

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Measure the evaluation's LeNet classifier (convolutions) instead of the GANs: training steps/s against sgemm on its products.")
    var classifier = false

    static let seedMLP = #"{"generatorHiddenSizes":[128],"discriminatorHiddenSizes":[128],"generatorActivation":"relu","discriminatorActivation":"relu","discriminatorKeepProbability":1}"#

    func validate() throws {
        guard batchSize.allSatisfy({ (1...4096).contains($0) }) else { throw ValidationError("--batch-size must be in 1...4096") }
        guard threads.allSatisfy({ (0...256).contains($0) }) else { throw ValidationError("--threads must be in 0...256") }
        guard (1...100).contains(repeats), seconds > 0, seconds <= 600 else {
            throw ValidationError("--repeats must be in 1...100 and --seconds in (0, 600]")
        }
    }

    /// The thread counts to measure, 0 resolved to the number of cores.
    var threadCounts: [Int] {
        let counts = (threads.isEmpty ? [1, 0] : threads).map(BLASThreads.resolved)
        return counts.enumerated().filter { !counts[..<$0.offset].contains($0.element) }.map(\.element)
    }

    func run() throws {
        if let json { try checkWritable(json, flag: "--json") }
        let benchmark = Benchmark(seconds: seconds, repeats: repeats)
        if classifier { return try runClassifier(benchmark) }
        let architectures = arch.isEmpty ? ["seed-mlp"] + Registry.architectures.map(\.name) : arch
        var results: [Benchmark.Result] = []
        say("architecture     batch threads     it/s  (BLAS limit)  GFLOP/it  GFLOP/s  of limit   samples/s")
        for name in architectures {
            let (plugin, configuration) = name == "seed-mlp" ? ("mlp", Self.seedMLP) : (name, nil)
            for batch in batchSize.isEmpty ? [64, 100, 256] : batchSize {
                for threadCount in threadCounts {
                    var result = try benchmark.run(architecture: plugin, configurationJSON: configuration,
                                                   batchSize: batch, threads: threadCount)
                    result.architecture = name
                    results.append(result)
                    say(String(format: "%-16@ %5d %7d %8.1f  (%8.1f)  %8.3f  %7.1f  %7.1f%%  %10.0f",
                               name, batch, threadCount, result.iterationsPerSecond, result.blasLimitIterationsPerSecond,
                               result.gflopPerIteration, result.achievedGFLOPS, 100 * result.fractionOfBLASLimit,
                               result.samplesPerSecond))
                }
            }
        }
        if let json {
            try writeAtomically(Array(ConfigurationCoding.encode(results, pretty: true).utf8), to: json)
        }
    }

    func runClassifier(_ benchmark: Benchmark) throws {
        var results: [Benchmark.ClassifierResult] = []
        say("classifier  batch threads   steps/s  (BLAS limit)  GFLOP/step  GFLOP/s  of limit")
        for batch in batchSize.isEmpty ? [64] : batchSize {
            for threadCount in threadCounts {
                let result = benchmark.runClassifier(batchSize: batch, threads: threadCount)
                results.append(result)
                say(String(format: "lenet       %5d %7d  %8.1f  (%8.1f)  %10.4f  %7.1f  %7.1f%%", batch, threadCount, result.stepsPerSecond,
                           result.blasLimitStepsPerSecond, result.gflopPerStep, result.achievedGFLOPS, 100 * result.fractionOfBLASLimit))
            }
        }
        if let json { try writeAtomically(Array(ConfigurationCoding.encode(results, pretty: true).utf8), to: json) }
    }
}
