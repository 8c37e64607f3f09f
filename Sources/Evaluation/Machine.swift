import Foundation

/// The machine a report was made on: online cores and the CPU model `/proc/cpuinfo` names.
public struct Machine: Sendable, Equatable {
    public var cores: Int
    public var cpu: String

    public init(cores: Int, cpu: String) { self.cores = cores; self.cpu = cpu }

    public static func current() -> Machine {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return Machine(cores: ProcessInfo.processInfo.activeProcessorCount, cpu: cpuModel(info) ?? "unknown CPU model")
    }

    /// The first `model name` line's value.
    static func cpuModel(_ cpuinfo: String) -> String? {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
