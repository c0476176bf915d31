/// Checks on JSON text that JSONSerialization and JSONDecoder do not make: they keep the last
/// of two equal keys silently, say "not valid JSON" for a number out of range without naming
/// its field, and their messages may echo whole inputs.
public enum JSONText {
    /// Objects and arrays may nest this deep; deeper text is refused before any parser sees it
    /// (each level costs the scan and the parsers memory and stack).
    public static let maximumDepth = 64

    /// What is wrong with the text's structure, as a phrase: a key that appears twice in one
    /// object, or nesting deeper than `maximumDepth`; nil when neither. Scans the text once
    /// (strings with escapes, nesting) without building anything; malformed text is left to the
    /// real parser, which reports it.
    public static func structuralProblem(in text: String) -> String? {
        var problem: String?
        scan(text, duplicate: { if problem == nil { problem = "the field \($0) appears twice (which one was meant?)" } },
             number: { _, _ in }, tooDeep: { problem = "objects and arrays nest deeper than \(maximumDepth) levels" })
        return problem
    }

    /// The first number no field can hold (beyond Double, or beyond Int64 whatever its field),
    /// with the field it belongs to: named when a parser's own message would say only "not
    /// valid JSON".
    public static func outOfRangeNumber(in text: String) -> (field: String, number: String)? {
        var found: (String, String)?
        scan(text, duplicate: { _ in }, number: { path, token in
            guard found == nil else { return }
            let value = Double(token) ?? .infinity
            if !value.isFinite || abs(value) >= 0x1p63 { found = (path, token) }
        }, tooDeep: {})
        return found
    }

    private static func scan(_ text: String, duplicate: (String) -> Void, number: (String, String) -> Void,
                             tooDeep: () -> Void) {
        var frames: [(keys: Set<String>, path: String, isObject: Bool)] = []
        var expectingKey = false
        var lastKey = ""
        var iterator = text.utf8.makeIterator()
        var pending: UInt8?
        func path() -> String {
            guard let frame = frames.last else { return "" }
            return frame.isObject ? join(frame.path, lastKey) : frame.path + "[]"
        }
        while let byte = pending ?? iterator.next() {
            pending = nil
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard frames.count < maximumDepth else { return tooDeep() }
                frames.append(([], path(), byte == UInt8(ascii: "{")))
                expectingKey = byte == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !frames.isEmpty { frames.removeLast() }
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = frames.last?.isObject ?? false
            case UInt8(ascii: "\""):
                let string = readString(&iterator)
                if expectingKey, !frames.isEmpty {
                    if !frames[frames.count - 1].keys.insert(string).inserted { duplicate(join(frames[frames.count - 1].path, string)) }
                    lastKey = string
                    expectingKey = false
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var token = [byte]
                while let next = iterator.next() {
                    guard next == UInt8(ascii: "-") || next == UInt8(ascii: "+") || next == UInt8(ascii: ".")
                        || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) else {
                        pending = next
                        break
                    }
                    token.append(next)
                }
                number(path(), String(decoding: token, as: UTF8.self))
            default:
                continue
            }
        }
    }

    /// `text` cut to `limit` characters with a note of how much was left out, for messages
    /// that quote an input.
    public static func excerpt(_ text: String, limit: Int = 200) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "... (\(text.utf8.count) bytes in all)"
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The raw content of a string whose opening quote was just read (escapes kept as written,
    /// except \" and \\, which is enough to compare keys).
    private static func readString(_ iterator: inout String.UTF8View.Iterator) -> String {
        var bytes: [UInt8] = []
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\"), let next = iterator.next() {
                bytes.append(next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") ? next : byte)
                if next != UInt8(ascii: "\"") && next != UInt8(ascii: "\\") { bytes.append(next) }
                continue
            }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
