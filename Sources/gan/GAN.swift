import ArgumentParser
import Foundation
import GANZoo

@main
struct GAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train, sample and inspect generative adversarial nets (Goodfellow et al. 2014).",
        version: VersionText.text,
        subcommands: [List.self, Train.self, Sample.self, Inspect.self, Evaluate.self, ZooCommand.self, DataCommand.self, Plot.self, Export.self, ClassifierCommand.self, Bench.self])

    /// A file size limit (`ulimit -f`) must fail a write with EFBIG, which becomes an `Error:`
    /// line, rather than kill the process with SIGXFSZ.
    static func main() {
        signal(SIGXFSZ, SIG_IGN)
        var parsed = false
        do {
            var command = try parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
            parsed = true
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }  // --help, --version
            // Messages may quote an input (a flag's value, a file's field): control characters are
            // escaped (an error from running is one line, whatever a file held), and each line is
            // cut to 300 Unicode scalars (not characters: one letter with 20,000 combining marks
            // is one character), so a hostile input cannot drive a terminal or fill a log. The
            // cut keeps more of the head, where messages name the file, flag and field at fault.
            let message = fullMessage(for: error)
            let lines = parsed ? [escaped(message, newlines: true)]
                : message.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0), newlines: false) }
            let text = lines.map(cutLine).joined(separator: "\n")
            if !text.isEmpty { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            // Bad input of any kind, a flag's value as much as a file's content, exits 1
            // (ArgumentParser's own is 64, EX_USAGE).
            Foundation.exit(code == .validationFailure ? 1 : code.rawValue)
        }
    }

    /// A line of more than 300 Unicode scalars as its first 239, " ... " and its last 55.
    static func cutLine(_ line: String) -> String {
        let scalars = line.unicodeScalars
        guard scalars.count > 300 else { return line }
        return String(String.UnicodeScalarView(scalars.prefix(239))) + " ... " + String(String.UnicodeScalarView(scalars.suffix(55)))
    }

    /// `--seed -5` as `--seed=-5`: ArgumentParser takes a word that starts with "-" for a flag,
    /// so a negative value after its option read as "Missing value" (no flag starts with a
    /// digit). Joined, the value reaches the option's own check and its error names the value.
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for argument in arguments {
            if let last = result.last, last.hasPrefix("--"), last.count > 2, !last.contains("="), !result.contains("--"),
               argument.count > 1, argument.hasPrefix("-"), (
               argument.dropFirst().first.map({ $0.isNumber || $0 == "." }) == true
                || ["-inf", "-infinity", "-nan"].contains(argument.lowercased())) {
                result[result.count - 1] = last + "=" + argument
            } else {
                result.append(argument)
            }
        }
        return result
    }

    /// Control and invisible format characters (ESC, CR, NUL, U+202E, U+200B, ...; and newlines when
    /// `newlines`) as `\u{..}` escapes.
    static func escaped(_ text: String, newlines: Bool) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            // C0/C1 controls, and the invisible ones that reorder or break what a terminal shows
            // (bidi overrides, zero-width characters: format; U+2028/2029: separators; fillers,
            // variation selectors, the combining grapheme joiner: default-ignorable).
            let control = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || [.format, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory)
                || (scalar.properties.isDefaultIgnorableCodePoint && scalar.value > 0x7F)
            if control && (newlines || scalar != "\n") && scalar != "\t" {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result.hasSuffix("\\u{a}") ? String(result.dropLast(5)) : result
    }
}
