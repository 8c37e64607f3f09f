import Foundation
import Kernels
import Model

/// `metrics.jsonl` (one JSON object per logged step) and what a person sees: a live progress
/// line on a terminal, plain log lines otherwise.
final class MetricsLog {
    private let handle: FileHandle
    private let interactive: Bool
    private var lastPlainLine = -1.0

    /// Opens (or continues) the log; on resume, lines past `truncateAfter` are dropped so the
    /// file reads as one run.
    init(url: URL, interactive: Bool, truncateAfter step: Int) throws {
        let fm = FileManager.default
        var kept = Data()
        if step > 0, let old = try? String(contentsOf: url, encoding: .utf8) {
            for line in old.split(separator: "\n") {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let s = obj["step"] as? Int, s <= step else { continue }
                kept.append(Data((line + "\n").utf8))
            }
        }
        guard fm.createFile(atPath: url.path, contents: kept) else {
            throw TrainingError("\(url.path): cannot create the metrics log")
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        self.interactive = interactive
    }

    func step(_ step: Int, of total: Int, loss: MultimodalMoE.Loss, lr: Float, gradNorm: Float,
              tokensPerSecond: Double, tokens: [String: Int], meanContext: Double, elapsed: Double, eta: Double,
              routing: [String: Any]) {
        var record: [String: Any] = [
            "step": step, "loss": loss.total, "lm_loss": loss.lm, "balance_loss": loss.balance, "kl_loss": loss.kl,
            "lr": Double(lr), "grad_norm": Double(gradNorm), "tokens_per_s": tokensPerSecond,
            "mean_context": meanContext, "elapsed_s": elapsed,
        ]
        // Stream positions trained on this step, per modality: what training FLOPs are counted from.
        for (modality, n) in tokens { record["tokens_\(modality)"] = n }
        record.merge(routing) { a, _ in a }
        write(record)
        let line = String(format: "step %d/%d  loss %.4f (lm %.4f bal %.4f kl %.4f)  lr %.2e  %.0f tok/s  ETA %@",
                          step, total, loss.total, loss.lm, loss.balance, loss.kl, lr, tokensPerSecond, duration(eta))
        if interactive {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else if step == total || now() - lastPlainLine >= 10 {
            lastPlainLine = now()
            print(line)
            fflush(stdout)
        }
    }

    func validation(_ step: Int, _ values: [String: Double]) {
        var record: [String: Any] = ["step": step]
        for (k, v) in values { record[k] = v }
        write(record)
        let shown = values.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: "  ")
        note("validation at step \(step): \(shown)")
    }

    func note(_ message: String) {
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print(message)
        fflush(stdout)
    }

    func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        try? handle.synchronize()
    }

    private func write(_ record: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }

    private func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds)
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
