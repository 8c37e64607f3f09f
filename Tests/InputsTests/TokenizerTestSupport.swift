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

/// Deterministic text for tokenizer tests, from a small linear congruential generator.
struct TokenizerCorpus {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }

    /// Scene-caption-like sentences with some numbers, punctuation, contractions and non-ASCII.
    mutating func captions(_ count: Int) -> [String] {
        let subjects = ["a dog", "the cat", "two apples", "a red car", "an old man", "the café", "a 🐶", "three birds", "a girl's kite"]
        let verbs = ["sits", "runs", "is", "stands", "waits", "sleeps", "doesn't move", "they're"]
        let places = ["on the left", "on the right", "in the middle", "near a tree", "under 2 lamps", "at 10:30", "by the sea!", "in Zürich", "next to ☕"]
        return (0..<count).map { _ in
            var s = "\(pick(subjects)) \(pick(verbs)) \(pick(places))"
            if next(4) == 0 { s += ", \(pick(subjects)) \(pick(places))." }
            if next(6) == 0 { s = s.prefix(1).uppercased() + s.dropFirst() }
            if next(8) == 0 { s += "\n" }
            return s
        }
    }

    /// Strings built from pieces that exercise every branch of the pre-tokenizer and the
    /// added-token matcher: whitespace runs of several kinds, contractions, letters, numbers
    /// and symbols of many scripts, broken-up special tokens.
    mutating func awkwardStrings(_ count: Int) -> [String] {
        let pieces = ["a", "cat", "dog", "Dog", "tab", " ", "  ", "   ", "\t", "\n", "\r\n", " \n ", "'s", "'t", "'re", "'ve",
                      "'m", "'ll", "'d", "'S", "''", "'", "!", "?!", ".", ",", "...", "123", "4", "½", "Ⅻ", "٣", "é", "e\u{301}",
                      "café", "☕", "🐶", "👍🏽", "中文", "日本語", "한국어", "\u{A0}", "\u{2003}", "\u{3000}", "\u{200B}", "\u{85}",
                      "<|image|>", "<|bos|>", "<|eos|>", "<|pad", "|>", "_", "-", "Ω", "ß", "ǅ", "ʰ", "\u{0}", "\u{7F}",
                      "x", "supercalifragilistic", "𝔘𝔫𝔦", "ـ", "\u{FEFF}"]
        return (0..<count).map { _ in (0..<(1 + next(12))).map { _ in pick(pieces) }.joined() }
    }
}
