import ArgumentParser
import Foundation
import GANCore
import GANZoo

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what weights files hold: plugins, configuration, layers, training position; or a classifier's sizes and accuracy.",
        discussion: """
            Reads GAN weights and checkpoints (`gan train`, the zoo's weights.h5) and the evaluation's classifier files \
            (`gan classifier`, models/*-classifier/classifier.h5). A file that cannot be read is an error line; the \
            others are still printed, and the exit status is 1.
            """)

    @Argument(help: "The files (.h5).", completion: weightsFiles)
    var files: [String]

    @Flag(help: "Print a JSON array, one object per file (path, kind, format, formatVersion, gan or classifier, networks).")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file") }
        try checkRange(files.count, 1...10_000, flag: "files")
    }

    func run() throws {
        var reports: [WeightsReport] = []
        var failures: [String] = []
        for file in files {
            do {
                let report = try WeightsReport(path: file)
                if !json { say((reports.isEmpty ? "" : "\n") + report.text) }
                reports.append(report)
            } catch {
                failures.append("\(error)")
                if files.count > 1 { FileHandle.standardError.write(Data("Error: \(GAN.escaped("\(error)", newlines: true))\n".utf8)) }
            }
        }
        if json { print(ConfigurationCoding.encode(reports, pretty: true)) }
        if files.count == 1, let failure = failures.first { throw CLIError(failure) }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
