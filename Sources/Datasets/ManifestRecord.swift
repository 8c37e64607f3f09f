import Foundation

/// One manifest line as the builder writes it (DESIGN §5). Fields are written in a fixed order
/// with a fixed escaping, so equal records give equal bytes on every run.
public struct ManifestRecord: Sendable, Equatable {
    public var id: String
    /// Paths relative to the manifest's folder.
    public var image: String?
    public var audio: String?
    public var prompt: String?
    public var text: String
    public var references: [String]
    public var task: String
    /// Extra string fields readers may ignore (the voice, the spoken question), in this order.
    public var extra: [(key: String, value: String)]

    public init(id: String, image: String? = nil, audio: String? = nil, prompt: String? = nil, text: String,
                references: [String], task: String, extra: [(key: String, value: String)] = []) {
        self.id = id
        self.image = image
        self.audio = audio
        self.prompt = prompt
        self.text = text
        self.references = references
        self.task = task
        self.extra = extra
    }

    public static func == (a: ManifestRecord, b: ManifestRecord) -> Bool { a.jsonLine == b.jsonLine }

    /// The same record with its file paths seen from a folder one level over (`../scenes/…`).
    public func relocated(under prefix: String) -> ManifestRecord {
        var r = self
        r.image = image.map { prefix + $0 }
        r.audio = audio.map { prefix + $0 }
        return r
    }

    /// One line of JSON, no trailing newline.
    public var jsonLine: String {
        var fields: [String] = ["\"id\": \(json(id))"]
        if let image { fields.append("\"image\": \(json(image))") }
        if let audio { fields.append("\"audio\": \(json(audio))") }
        if let prompt { fields.append("\"prompt\": \(json(prompt))") }
        fields.append("\"text\": \(json(text))")
        fields.append("\"references\": [" + references.map(json).joined(separator: ", ") + "]")
        fields.append("\"task\": \(json(task))")
        for (key, value) in extra { fields.append("\(json(key)): \(json(value))") }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// The JSONL file for `records`, one per line, newline-terminated.
    public static func jsonl(_ records: [ManifestRecord]) -> Data {
        Data(records.map { $0.jsonLine + "\n" }.joined().utf8)
    }
}

/// A JSON string literal: quotes, backslashes and control characters escaped; the rest as UTF-8.
func json(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
