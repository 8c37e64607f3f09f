import Foundation

/// One training or evaluation example from a manifest, with file paths resolved to absolute URLs.
public struct Sample: Sendable, Equatable {
    public var id: String
    public var image: URL?
    public var audio: URL?
    /// Text before the target (may be empty); `<image>`/`<audio>` placeholders are removed.
    public var prompt: String
    /// The training target; nil when the manifest gives only `references`.
    public var text: String?
    /// What a prediction is scored against; `[text]` when the manifest gives none.
    public var references: [String]
    /// Which metric applies: "caption", "transcribe", "vqa", "text", or nil when unsaid.
    public var task: String?
    /// What the picture shows, as the bundled data writes it ("left=dog|right=pizza|background=blue");
    /// caption benchmarks score object names against it. Nil when the manifest gives none.
    public var scene: String?
    /// The line the sample starts on in its manifest (1-based), for messages.
    public var line: Int

    public init(id: String, image: URL? = nil, audio: URL? = nil, prompt: String = "", text: String?,
                references: [String], task: String? = nil, scene: String? = nil, line: Int = 0) {
        self.id = id
        self.image = image
        self.audio = audio
        self.prompt = prompt
        self.text = text
        self.references = references
        self.task = task
        self.scene = scene
        self.line = line
    }
}

/// A manifest problem: `file:line: reason` on one line.
public struct ManifestError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int?
    public let reason: String

    public init(file: String, line: Int?, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)" }
}

/// A dataset manifest (DESIGN §5): JSON Lines, one sample per line, or a JSON array of samples,
/// including LLaVA / Uni-MoE style `conversations`. Relative paths are resolved against the
/// manifest's folder (or `baseDirectory`).
public struct Manifest: Sendable {
    public let url: URL
    public let samples: [Sample]
    /// Bad lines passed over when reading with `skipBadLines`, in file order.
    public let skipped: [ManifestError]

    /// Reads and checks every line. Without `skipBadLines` the first bad line throws; with it,
    /// bad lines are left out and listed in `skipped`. `checkFiles` makes a missing image or
    /// audio file a bad line (existence only; decoding is `moe-mm data check`'s job).
    public init(contentsOf url: URL, skipBadLines: Bool = false, checkFiles: Bool = true,
                baseDirectory: URL? = nil) throws {
        let name = url.relativePath
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ManifestError(file: name, line: nil, reason: "no such manifest file")
        }
        guard let data = try? Data(contentsOf: url) else {
            throw ManifestError(file: name, line: nil, reason: "cannot read the manifest")
        }
        try self.init(data: data, url: url, skipBadLines: skipBadLines, checkFiles: checkFiles,
                      baseDirectory: baseDirectory)
    }

    /// Parses manifest bytes as if read from `url` (which names it in errors and anchors paths).
    public init(data: Data, url: URL, skipBadLines: Bool = false, checkFiles: Bool = true,
                baseDirectory: URL? = nil) throws {
        self.url = url
        let name = url.relativePath
        let decoder = SampleDecoder(file: name, base: baseDirectory ?? url.deletingLastPathComponent(),
                                    checkFiles: checkFiles)
        let bytes = [UInt8](data)
        let chunks: [(line: Int, bytes: ArraySlice<UInt8>)]
        if bytes.first(where: { !JSONScan.isSpace($0) }) == UInt8(ascii: "[") {
            chunks = try JSONScan.arrayElements(bytes, file: name)
        } else {
            chunks = JSONScan.lines(bytes)
        }
        var samples: [Sample] = [], skipped: [ManifestError] = []
        for chunk in chunks {
            do {
                samples.append(try decoder.sample(from: chunk.bytes, line: chunk.line))
            } catch let error as ManifestError {
                guard skipBadLines else { throw error }
                skipped.append(error)
            }
        }
        if samples.isEmpty && skipped.isEmpty {
            throw ManifestError(file: name, line: nil, reason: "no samples in the manifest")
        }
        self.samples = samples
        self.skipped = skipped
    }
}

/// Turns one JSON object into a `Sample`, checking every field's type.
struct SampleDecoder {
    let file: String
    let base: URL
    let checkFiles: Bool

    func fail(_ line: Int, _ reason: String) -> ManifestError { ManifestError(file: file, line: line, reason: reason) }

    func sample(from bytes: ArraySlice<UInt8>, line: Int) throws -> Sample {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(bytes), options: []) } catch {
            throw fail(line, "not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw fail(line, "expected a JSON object") }
        let id = try identifier(fields["id"], line: line) ?? "\(file):\(line)"
        let image = try path(fields["image"], key: "image", line: line)
        let audio = try path(fields["audio"], key: "audio", line: line)
        let task = try string(fields["task"], key: "task", line: line)
        let scene = try string(fields["scene"], key: "scene", line: line)
        if let conversations = fields["conversations"] {
            let (prompt, text) = try conversation(conversations, line: line)
            return Sample(id: id, image: image, audio: audio, prompt: prompt, text: text, references: [text],
                          task: task, scene: scene, line: line)
        }
        let prompt = try string(fields["prompt"], key: "prompt", line: line) ?? ""
        let text = try string(fields["text"], key: "text", line: line)
        if let text, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw fail(line, "\"text\" is empty")
        }
        let references = try stringList(fields["references"], key: "references", line: line)
        guard text != nil || references != nil else { throw fail(line, "expected \"text\" or \"references\"") }
        return Sample(id: id, image: image, audio: audio, prompt: prompt, text: text,
                      references: references ?? [text!], task: task, scene: scene, line: line)
    }

    func identifier(_ value: Any?, line: Int) throws -> String? {
        guard let value, !(value is NSNull) else { return nil }
        if let s = value as? String { return s }
        // LLaVA ids are sometimes numbers.
        if let n = value as? Int { return String(n) }
        throw fail(line, "expected a string for \"id\"")
    }

    func string(_ value: Any?, key: String, line: Int) throws -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let s = value as? String else { throw fail(line, "expected a string for \"\(key)\"") }
        return s
    }

    func stringList(_ value: Any?, key: String, line: Int) throws -> [String]? {
        guard let value, !(value is NSNull) else { return nil }
        guard let list = value as? [Any], let strings = list as? [String] else {
            throw fail(line, "expected a list of strings for \"\(key)\"")
        }
        guard !strings.isEmpty else { throw fail(line, "\"\(key)\" is empty") }
        if let i = strings.firstIndex(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            throw fail(line, "\"\(key)\"[\(i)] is empty")
        }
        return strings
    }

    /// A file path (or LLaVA's one-element list of paths), resolved and, if asked, checked to exist.
    func path(_ value: Any?, key: String, line: Int) throws -> URL? {
        guard let value, !(value is NSNull) else { return nil }
        var relative: String
        if let s = value as? String {
            relative = s
        } else if let list = value as? [Any], list.count == 1, let s = list[0] as? String {
            relative = s
        } else {
            throw fail(line, "expected a path string for \"\(key)\"")
        }
        relative = relative.trimmingCharacters(in: .whitespaces)
        guard !relative.isEmpty else { throw fail(line, "\"\(key)\" is an empty path") }
        let url = relative.hasPrefix("/")
            ? URL(fileURLWithPath: relative)
            : URL(fileURLWithPath: relative, relativeTo: base).absoluteURL.standardizedFileURL
        if checkFiles {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw fail(line, "\(key) file \(relative) does not exist (\(url.path))")
            }
        }
        return url
    }

    /// LLaVA's first exchange: the first human turn (placeholders removed) and the reply after it.
    func conversation(_ value: Any, line: Int) throws -> (prompt: String, text: String) {
        guard let turns = value as? [Any] else { throw fail(line, "expected a list for \"conversations\"") }
        var prompt: String?
        for (i, item) in turns.enumerated() {
            guard let turn = item as? [String: Any], let from = turn["from"] as? String,
                  let said = turn["value"] as? String else {
                throw fail(line, "conversations[\(i)] needs string \"from\" and \"value\"")
            }
            if prompt == nil, ["human", "user"].contains(from) {
                prompt = said.replacingOccurrences(of: "<image>", with: "").replacingOccurrences(of: "<audio>", with: "")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            } else if let prompt, ["gpt", "assistant"].contains(from) {
                guard !said.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw fail(line, "conversations[\(i)] reply is empty")
                }
                return (prompt, said)
            }
        }
        throw fail(line, "\"conversations\" has no human turn followed by a gpt turn")
    }
}

/// Byte-level splitting of manifest files, keeping line numbers.
enum JSONScan {
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// Non-blank lines with their 1-based numbers.
    static func lines(_ bytes: [UInt8]) -> [(line: Int, bytes: ArraySlice<UInt8>)] {
        var out: [(Int, ArraySlice<UInt8>)] = []
        var start = 0, number = 1
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            let slice = bytes[start..<i]
            if slice.contains(where: { !isSpace($0) }) { out.append((number, slice)) }
            start = i + 1
            number += 1
        }
        return out
    }

    /// The elements of a top-level JSON array with the line each starts on. Only the array's
    /// structure is checked here (brackets and strings), so one bad element stays one bad sample.
    static func arrayElements(_ bytes: [UInt8], file: String) throws -> [(line: Int, bytes: ArraySlice<UInt8>)] {
        var out: [(Int, ArraySlice<UInt8>)] = []
        var depth = 0, line = 1, inString = false, escaped = false
        var start: Int?, startLine = 1, closed = false
        for (i, b) in bytes.enumerated() {
            if b == 0x0A { line += 1 }
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            if closed {
                if !isSpace(b) { throw ManifestError(file: file, line: line, reason: "text after the closing ]") }
                continue
            }
            if depth == 1, start == nil, !isSpace(b), b != UInt8(ascii: ","), b != UInt8(ascii: "]") {
                start = i
                startLine = line
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                if depth < 0 { throw ManifestError(file: file, line: line, reason: "unbalanced brackets") }
                if depth == 0 {
                    if let s = start { out.append((startLine, bytes[s..<i])) }
                    closed = true
                }
            case UInt8(ascii: ","):
                if depth == 1, let s = start {
                    out.append((startLine, bytes[s..<i]))
                    start = nil
                }
            default: break
            }
        }
        guard closed, !inString else {
            throw ManifestError(file: file, line: line, reason: "the JSON array is not closed")
        }
        return out
    }
}
