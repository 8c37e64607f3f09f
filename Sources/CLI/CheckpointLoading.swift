import Foundation
import Inputs
import Model

/// A trained model with its tokenizer, ready to build examples and decode answers.
struct LoadedCheckpoint {
    let directory: URL
    let model: MultimodalMoE
    let builder: ExampleBuilder
    let generation: GenerationDefaults

    init(_ path: String) throws {
        directory = URL(fileURLWithPath: path)
        model = try Checkpoint.load(directory)
        let tokenizer = try BPETokenizer(contentsOf: directory.appendingPathComponent(Checkpoint.tokenizerFile))
        guard tokenizer.vocabSize <= model.config.vocabSize else {
            throw CheckpointError("\(path): tokenizer has \(tokenizer.vocabSize) ids, the model's vocabulary \(model.config.vocabSize)")
        }
        builder = ExampleBuilder(config: model.config, tokenizer: tokenizer)
        generation = try GenerationDefaults.load(directory)
    }
}
