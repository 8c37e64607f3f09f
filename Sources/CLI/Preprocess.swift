import ArgumentParser
import Foundation
import Inputs
import Kernels
import Model

struct Preprocess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write exactly the tensors the encoders will see, for debugging a data pipeline.",
        discussion: """
            The image goes through the model's preprocessing (composite over white, resize, \
            normalise) to [3, size, size]; the audio through the Whisper log-mel front end to \
            [80, frames] (padded or trimmed to the encoder's length); the text through the \
            tokenizer to ids. Load the result in Python with safetensors.numpy.load_file.

            Examples:
              moe-mm preprocess --image data/samples/scene-1.png \\
                --config configs/tiny.yaml --out x.safetensors
              moe-mm preprocess --audio clip.flac --text "a dog" \\
                --config checkpoints/tiny/config.json \\
                --tokenizer checkpoints/tiny/tokenizer.json --out x.safetensors
            """)

    @Option(help: "A PNG image.") var image: String?
    @Option(help: "An audio file (WAV, FLAC, OGG).") var audio: String?
    @Option(help: "Text to tokenise (needs --tokenizer).") var text: String?
    @Option(help: "A recipe (.yaml) or config.json.") var config: String
    @Option(help: "tokenizer.json for --text.") var tokenizer: String?
    @Option(help: "The safetensors file to write.") var out: String

    func validate() throws {
        guard image != nil || audio != nil || text != nil else { throw ValidationError("give --image, --audio or --text") }
        if text != nil && tokenizer == nil { throw ValidationError("--text needs --tokenizer") }
    }

    func run() throws {
        let model = try loadModelConfig(config)
        var entries: [(name: String, entry: SafeTensorsEntry)] = []
        if let image {
            guard let c = model.image else { throw ValidationError("\(config): the model has no image encoder") }
            let pre = ImagePreprocessor(height: c.size, width: c.size, mean: SIMD3(c.mean[0], c.mean[1], c.mean[2]),
                                        std: SIMD3(c.std[0], c.std[1], c.std[2]))
            entries.append(("image", .f32(try pre.tensor(from: URL(fileURLWithPath: image)))))
        }
        if let audio {
            guard let c = model.audio else { throw ValidationError("\(config): the model has no audio encoder") }
            let mel = try AudioPreprocessor(maxSeconds: c.maxSeconds, padToMax: c.padToMax).logMel(from: URL(fileURLWithPath: audio))
            entries.append(("audio_mel", .f32(mel)))
        }
        if let text, let tokenizer {
            let ids = try BPETokenizer(contentsOf: URL(fileURLWithPath: tokenizer)).encode(text, addSpecialTokens: false)
            entries.append(("text_ids", .i64(ids.map(Int64.init), shape: [ids.count])))
        }
        try SafeTensorsWriter.write(entries: entries, metadata: ["producer": "moe-mm preprocess"], to: URL(fileURLWithPath: out))
        for (name, entry) in entries {
            switch entry {
            case .f32(let t): print("\(name) \(t.shape)")
            case .i64(let v, let shape): print("\(name) \(shape) \(v)")
            }
        }
    }
}
