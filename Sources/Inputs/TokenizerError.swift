/// A tokenizer file that cannot be read or written, input it cannot encode or decode, or a
/// training setup it cannot run. The description is one line naming the file (when there is
/// one), the place inside it and what is wrong.
public struct TokenizerError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
