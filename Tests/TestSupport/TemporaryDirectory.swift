import Foundation

/// A fresh directory under the system's temporary directory, removed when the test is done.
public final class TemporaryDirectory {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("moe-mm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Every entry in the directory, hidden ones included (temporary files start with a dot).
    public var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.sorted() ?? [] }

    deinit { try? FileManager.default.removeItem(at: url) }
}
