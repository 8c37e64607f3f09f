/// Why an audio file could not be read or written: one line naming the file and the problem.
public struct AudioError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String

    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
