import Foundation
import Inputs

/// What a scene picture shows, parsed from a sample's `scene` field as the bundled data writes
/// it: `place=name` parts and one `background=colour`, joined by `|`
/// ("middle=spaghetti|top=hatching chick|background=white").
public struct SceneLayout: Sendable, Equatable {
    /// One object of the picture: its place word and its name (which may be several words).
    public struct Object: Sendable, Equatable {
        public var place: String
        public var name: String
        public init(place: String, name: String) { self.place = place; self.name = name }
    }

    /// The objects in the order the layout lists them.
    public var objects: [Object]
    /// The background colour's name.
    public var background: String

    /// The place words a layout (and a caption) may use.
    public static let places = ["left", "middle", "right", "top", "bottom"]

    public init(objects: [Object], background: String) {
        self.objects = objects; self.background = background
    }

    /// Parses `text`; a malformed layout throws one line naming the sample `id` and what is wrong.
    public init(parsing text: String, id: String) throws {
        func fail(_ reason: String) -> EvaluationError { EvaluationError("sample \(id): scene \"\(text)\": \(reason)") }
        var objects: [Object] = [], background: String?
        for part in text.split(separator: "|", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw fail("\"\(part)\" is not key=value") }
            let key = pair[0].trimmingCharacters(in: .whitespaces), value = pair[1].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { throw fail("\"\(key)\" has no value") }
            if key == "background" {
                guard background == nil else { throw fail("background is given twice") }
                background = value
            } else {
                guard Self.places.contains(key) else {
                    throw fail("unknown place \"\(key)\" (expected background or \(Self.places.joined(separator: ", ")))")
                }
                guard !NameMatcher.words(value).isEmpty else { throw fail("object name \"\(value)\" has no words") }
                objects.append(Object(place: key, name: value))
            }
        }
        guard let background else { throw fail("no background") }
        guard !objects.isEmpty else { throw fail("no objects") }
        self.init(objects: objects, background: background)
    }

    /// The sample's layout, or nil when it has no `scene`.
    public static func of(_ sample: Sample) throws -> SceneLayout? {
        try sample.scene.map { try SceneLayout(parsing: $0, id: sample.id) }
    }
}
