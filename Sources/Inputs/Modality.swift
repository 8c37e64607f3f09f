/// The modality id every position of the token stream carries (DESIGN §2).
public enum Modality: Int, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case text = 0
    case image = 1
    case audio = 2

    public init?(name: String) {
        guard let m = Modality.allCases.first(where: { $0.description == name }) else { return nil }
        self = m
    }

    public var description: String {
        switch self {
        case .text: "text"
        case .image: "image"
        case .audio: "audio"
        }
    }
}
