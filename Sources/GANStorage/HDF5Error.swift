/// An HDF5 failure, naming the file, the object inside it and what went wrong.
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let object: String
    public let reason: String

    public init(file: String, object: String, reason: String) {
        self.file = file
        self.object = object
        self.reason = reason
    }

    public var description: String {
        object.isEmpty || object == "/" ? "\(file): \(reason)" : "\(file): \(object): \(reason)"
    }
}
