/// Errors reading datasets; each names the file and what is wrong with it.
public enum DataError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String)
    case missing(folder: String, file: String)
    case corrupt(path: String, reason: String)
    case mismatch(reason: String)
    case empty(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot read the file (missing or no permission)"
        case .missing(let folder, let file):
            return "\(folder): no \(file) or \(file).gz (expected the standard MNIST IDX file names)"
        case .corrupt(let path, let reason): return "\(path): \(reason)"
        case .mismatch(let reason): return reason
        case .empty(let reason): return reason
        }
    }
}
