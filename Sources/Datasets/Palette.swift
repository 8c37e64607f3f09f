/// Named background colours for the scenes; captions say the name, so each must look like it.
public struct NamedColor: Sendable, Equatable {
    public let name: String
    public let rgb: (UInt8, UInt8, UInt8)
    public static func == (a: NamedColor, b: NamedColor) -> Bool { a.name == b.name }
}

public enum Palette {
    public static let backgrounds: [NamedColor] = [
        .init(name: "white", rgb: (245, 245, 245)),
        .init(name: "black", rgb: (20, 20, 20)),
        .init(name: "red", rgb: (210, 40, 40)),
        .init(name: "green", rgb: (40, 160, 60)),
        .init(name: "blue", rgb: (40, 80, 210)),
        .init(name: "yellow", rgb: (240, 210, 40)),
        .init(name: "purple", rgb: (130, 50, 170)),
        .init(name: "orange", rgb: (240, 140, 30)),
        .init(name: "gray", rgb: (128, 128, 128)),
        .init(name: "pink", rgb: (240, 150, 190)),
    ]
}
