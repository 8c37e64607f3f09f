import Foundation

/// A fresh directory under the system's temporary directory, removed when released.
final class TokenizerScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("moe-mm-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Runs Python with Hugging Face's `tokenizers` to cross-check against the reference library.
enum TokenizerPython {
    /// Whether `python3 -c "import tokenizers"` works; tests needing it are skipped otherwise.
    static let isAvailable: Bool = (try? run("import tokenizers")) != nil

    /// Runs `script` with `arguments` (sys.argv[1...]); returns stdout, throws with stderr on failure.
    /// Scripts take their input from files and print little, so reading stdout to its end
    /// before stderr cannot fill a pipe and stall the child.
    static func run(_ script: String, arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonFailure(description: "python3 exited with \(process.terminationStatus): \(errors)")
        }
        return String(decoding: output, as: UTF8.self)
    }

    struct PythonFailure: Error, CustomStringConvertible { let description: String }
}
