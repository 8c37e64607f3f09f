/// The image encoder: an optional convolutional stem (3×3, stride 2, GELU, one stage per entry of
/// `conv_stem`, its output channels), then a small dense ViT over `patch`×`patch`-pixel patches
/// of the `size`×`size` RGB image, then an MLP connector to `d_model`.
public struct ImageEncoderConfig: Codable, Sendable, Equatable {
    public var size: Int
    public var patch: Int
    /// Output channels of each stride-2 convolution before patching; empty for plain patches.
    public var convStem: [Int] = []
    public var dim: Int
    public var layers: Int
    public var heads: Int
    public var mlpHidden: Int
    /// A learned absolute position per patch (`PositionEmbedding`); off when the file leaves it out.
    public var positionEmbedding: Bool
    /// Per-channel normalisation applied after resizing (RGB in [0, 1]).
    public var mean: [Float]
    public var std: [Float]

    enum CodingKeys: String, CodingKey {
        case size, patch, convStem = "conv_stem", dim, layers, heads, mlpHidden = "mlp_hidden",
             positionEmbedding = "position_embedding", mean, std
    }

    public init(size: Int, patch: Int, convStem: [Int] = [], dim: Int, layers: Int, heads: Int, mlpHidden: Int,
                positionEmbedding: Bool = false, mean: [Float] = [0.5, 0.5, 0.5], std: [Float] = [0.25, 0.25, 0.25]) {
        self.size = size; self.patch = patch; self.convStem = convStem; self.dim = dim; self.layers = layers
        self.heads = heads; self.mlpHidden = mlpHidden; self.positionEmbedding = positionEmbedding; self.mean = mean; self.std = std
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        size = try c.decode(Int.self, forKey: .size)
        patch = try c.decode(Int.self, forKey: .patch)
        convStem = try c.decodeIfPresent([Int].self, forKey: .convStem) ?? []
        dim = try c.decode(Int.self, forKey: .dim)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        mlpHidden = try c.decode(Int.self, forKey: .mlpHidden)
        positionEmbedding = try c.decodeIfPresent(Bool.self, forKey: .positionEmbedding) ?? false
        mean = try c.decodeIfPresent([Float].self, forKey: .mean) ?? [0.5, 0.5, 0.5]
        std = try c.decodeIfPresent([Float].self, forKey: .std) ?? [0.25, 0.25, 0.25]
    }

    public var patchesPerSide: Int { size / patch }
    public var tokens: Int { patchesPerSide * patchesPerSide }
    /// Side of the grid the stem leaves (the image's own side without a stem).
    public var gridSide: Int { convStem.reduce(size) { side, _ in (side - 1) / 2 + 1 } }
    /// Patch side on that grid.
    public var gridPatch: Int { patch >> convStem.count }
    public var patchDim: Int { gridPatch * gridPatch * (convStem.last ?? 3) }

    func validate() throws {
        guard size > 0, patch > 0, size % patch == 0 else { throw ConfigError("image: size \(size) is not a multiple of patch \(patch)") }
        guard convStem.allSatisfy({ $0 > 0 }), patch % (1 << convStem.count) == 0, size % (1 << convStem.count) == 0 else {
            throw ConfigError("image: \(convStem.count) stride-2 stem stages need size and patch divisible by \(1 << convStem.count)")
        }
        guard dim % heads == 0, (dim / heads) % 2 == 0 else { throw ConfigError("image: dim \(dim) must split into \(heads) heads of even width") }
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 > 0 }) else { throw ConfigError("image: mean and std need 3 values, std positive") }
    }
}

/// The audio encoder: Whisper log-mel (80 bins), a conv stem (kernel 3, stride 2, twice, GELU),
/// dense attention layers, then an MLP connector to `d_model`.
public struct AudioEncoderConfig: Codable, Sendable, Equatable {
    public var maxSeconds: Double
    public var dim: Int
    public var layers: Int
    public var heads: Int
    public var mlpHidden: Int
    /// A learned absolute position per token after the conv stem; off when the file leaves it out.
    public var positionEmbedding: Bool
    /// Pad every clip with silence to `maxSeconds` (Whisper's fixed 30 s window, and the default
    /// for configs written before the key existed); false keeps each clip its own length, so a
    /// one-second question costs a quarter of the audio tokens of a four-second window.
    public var padToMax: Bool

    enum CodingKeys: String, CodingKey {
        case maxSeconds = "max_seconds", dim, layers, heads, mlpHidden = "mlp_hidden", positionEmbedding = "position_embedding",
             padToMax = "pad_to_max"
    }

    public init(maxSeconds: Double, dim: Int, layers: Int, heads: Int, mlpHidden: Int, positionEmbedding: Bool = false,
                padToMax: Bool = true) {
        self.maxSeconds = maxSeconds; self.dim = dim; self.layers = layers; self.heads = heads; self.mlpHidden = mlpHidden
        self.positionEmbedding = positionEmbedding; self.padToMax = padToMax
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxSeconds = try c.decode(Double.self, forKey: .maxSeconds)
        dim = try c.decode(Int.self, forKey: .dim)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        mlpHidden = try c.decode(Int.self, forKey: .mlpHidden)
        positionEmbedding = try c.decodeIfPresent(Bool.self, forKey: .positionEmbedding) ?? false
        padToMax = try c.decodeIfPresent(Bool.self, forKey: .padToMax) ?? true
    }

    public static let melBins = 80
    public static let hop = 160
    public static let sampleRate = 16000
    /// Log-mel frames for `maxSeconds` of audio (Whisper drops the last centre-padded frame).
    public var frames: Int { Int((maxSeconds * Double(Self.sampleRate)).rounded()) / Self.hop }
    /// Tokens of a full-length clip: the most any clip gets.
    public var tokens: Int { tokens(frames: frames) }
    /// Tokens after the two stride-2 convolutions of a clip of `frames` log-mel frames.
    public func tokens(frames: Int) -> Int { ((frames + 1) / 2 + 1) / 2 }

    func validate() throws {
        guard maxSeconds > 0, frames >= 4 else { throw ConfigError("audio: max_seconds \(maxSeconds) is too short") }
        guard dim % heads == 0, (dim / heads) % 2 == 0 else { throw ConfigError("audio: dim \(dim) must split into \(heads) heads of even width") }
    }
}
