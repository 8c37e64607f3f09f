import Foundation

/// `python3` and the reference libraries the interop tests compare against (numpy, safetensors,
/// tokenizers). `make deps` installs them; without them those tests are skipped, visibly.
public enum Python {
    /// numpy and safetensors, for the safetensors interop tests.
    public static let available: Bool = canImport("numpy, safetensors.numpy")

    /// Whether `import <modules>` succeeds.
    public static func canImport(_ modules: String) -> Bool { (try? run("import \(modules)").status) == 0 }

    /// Runs `python3 -c script args…`; returns the exit status, stdout and stderr.
    public static func run(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Scripts print little, so draining stdout before stderr cannot stall the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// stdout of a script that must succeed; a failure throws with its exit status and stderr.
    public static func output(_ script: String, _ arguments: [String] = []) throws -> String {
        let r = try run(script, arguments)
        guard r.status == 0 else { throw Failure(description: "python3 exited with \(r.status): \(r.err)") }
        return r.out
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }
}
