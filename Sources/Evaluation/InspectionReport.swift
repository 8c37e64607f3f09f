import Foundation
import Kernels

/// What `routing.json` holds: the routing collected by running the checkpoint over batches
/// (when it was), and the routing its run logged at the last training step (when the run's
/// `metrics.jsonl` has it). Keys are sorted, so equal numbers give equal bytes.
public struct RoutingDocument: Codable, Sendable, Equatable {
    public var checkpoint: String
    public var collected: RoutingReport?
    public var lastLogged: LoggedRouting?

    enum CodingKeys: String, CodingKey { case checkpoint, collected, lastLogged = "last_logged" }

    public init(checkpoint: String, collected: RoutingReport?, lastLogged: LoggedRouting?) {
        self.checkpoint = checkpoint; self.collected = collected; self.lastLogged = lastLogged
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// The last training line's routing, with the trainer's keys ("moeIndex.group" and
/// "moeIndex.group.a-b"): selections per expert over that step's batches, and their pair KL.
public struct LoggedRouting: Codable, Sendable, Equatable {
    public var step: Int
    public var expertLoad: [String: [Int]]
    public var pairKL: [String: Double]

    enum CodingKeys: String, CodingKey { case step, expertLoad = "expert_load", pairKL = "pair_kl" }

    /// The last training point that logged routing, if any.
    public init?(_ metrics: RunMetrics) {
        guard let p = metrics.training.last(where: { !$0.expertLoad.isEmpty || !$0.pairKL.isEmpty }) else { return nil }
        step = p.step; expertLoad = p.expertLoad; pairKL = p.pairKL
    }
}

public enum InspectionReport {
    public static let routingFile = "routing.json"
    public static let pageFile = "report.html"

    /// Writes `routing.json` and `report.html` into `dir` (created if needed), each atomically.
    /// Returns their paths.
    @discardableResult
    public static func write(_ document: RoutingDocument, page: ReportPage, to dir: URL) throws -> [URL] {
        try checkTarget(dir)
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw ReportError("\(dir.path): cannot create the report directory (\(error.localizedDescription))")
        }
        let routing = dir.appendingPathComponent(routingFile), html = dir.appendingPathComponent(pageFile)
        try AtomicFile.write(try document.json(), to: routing)
        try AtomicFile.write(Data(page.html().utf8), to: html)
        return [routing, html]
    }

    /// Refuses a report directory that cannot be one, before any work is done.
    public static func checkTarget(_ dir: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ReportError("\(dir.path): exists and is not a directory")
        }
    }
}
