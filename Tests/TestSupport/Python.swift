import Foundation

/// `python3` with numpy and safetensors, which the interop tests compare against.
public enum Python {
    public static let available: Bool = (try? run("import numpy, safetensors.numpy").status) == 0

    /// Runs `python3 -c script args…`; returns the exit status, stdout and stderr.
    public static func run(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
