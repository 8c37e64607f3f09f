import ArgumentParser
import Foundation
import Inference
import Inputs
import Model

struct Caption: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe images (and transcribe or answer about audio) with a trained checkpoint.",
        discussion: """
            All inputs run as one batch: one prefill, then one position per sequence per step \
            through the KV cache. Given both images and --audio, each image is paired with the clip.

            Examples:
              moe-mm caption data/samples/scene-1.png --checkpoint checkpoints/tiny
              moe-mm caption data/samples/*.png --checkpoint checkpoints/tiny \\
                --beam 4 --json
              moe-mm caption --audio data/samples/speech-1.flac \\
                --checkpoint checkpoints/tiny
              moe-mm caption photo.png --checkpoint checkpoints/tiny --skip
            """)

    @Argument(help: "PNG images to describe.")
    var images: [String] = []

    @Option(help: "A trained checkpoint directory (config.json, model.safetensors, tokenizer.json).")
    var checkpoint: String

    @Option(help: "Text before the answer (default: the prompt the checkpoint trained with for these inputs).")
    var prompt: String?

    @Option(help: "An audio file (WAV, FLAC, OGG) to go with each image, or alone.")
    var audio: String?

    @Option(help: "Beam width; 1 is greedy.")
    var beam = 1

    @Option(help: "Most tokens to generate, <|eos|> included.")
    var maxTokens = 64

    @OptionGroup var skipping: SkippingOptions

    @Flag(help: "One JSON object per input: caption, tokens, prefill and decode time, skip ratio.")
    var json = false

    func validate() throws {
        guard !images.isEmpty || audio != nil else { throw ValidationError("give at least one image or --audio") }
        guard beam >= 1 else { throw ValidationError("--beam must be at least 1") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        for path in images + [audio].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path): no such file")
        }
    }

    func run() throws {
        let loaded = try LoadedCheckpoint(checkpoint)
        try skipping.install(into: loaded)
        let audioURL = audio.map { URL(fileURLWithPath: $0) }
        let prompt = self.prompt ?? loaded.generation.prompt(image: !images.isEmpty, audio: audio != nil)
        let inputs: [(name: String, sample: Sample)] = images.isEmpty
            ? [(audio!, Sample(id: audio!, audio: audioURL, prompt: prompt, text: nil, references: []))]
            : images.map { ($0, Sample(id: $0, image: URL(fileURLWithPath: $0), audio: audioURL, prompt: prompt, text: nil, references: [])) }
        let examples = try inputs.map { try loaded.builder.example($0.sample, withTarget: false) }
        let options = GenerationOptions(maxTokens: maxTokens, search: beam == 1 ? .greedy : .beam(width: beam))
        let generations = try Generator(model: loaded.model).generate(examples, options: options)
        for (input, g) in zip(inputs, generations) {
            let text = loaded.builder.text(g.tokens)
            if json {
                var record: [String: Any] = ["input": input.name, "caption": text, "tokens": g.tokenCount,
                                             "prefill_ms": g.prefillSeconds * 1000, "decode_ms": g.decodeSeconds * 1000,
                                             "batch": inputs.count]
                if let ratio = g.skipRatio { record["skip_ratio"] = ratio }
                let data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("\(input.name): \(text)")
            }
        }
        fflush(stdout)  // the captions before the summary, also when both go to one pipe
        if !json, let g = generations.first {
            let perToken = g.decodeSeconds / Double(max(generations.map(\.tokenCount).max() ?? 1, 1)) * 1000
            var summary = String(format: "(%d input%@, prefill %.1f ms, decode %.1f ms/step", inputs.count, inputs.count == 1 ? "" : "s",
                                 g.prefillSeconds * 1000, perToken)
            if let ratio = g.skipRatio { summary += String(format: ", %.1f%% of routed experts skipped", ratio * 100) }
            FileHandle.standardError.write(Data((summary + ")\n").utf8))
        }
    }
}
