import Foundation
import Kernels

extension DatasetBuilder {
    /// A handful of examples for the README: `pictures` scene PNGs and `clips` spoken FLACs,
    /// drawn like training items, with `samples.jsonl` giving their captions and transcripts.
    @discardableResult
    public func writeSamples(into dir: URL, pictures: Int = 4, clips: Int = 2) throws -> [ManifestRecord] {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var records: [ManifestRecord] = []
        for i in 0..<pictures {
            var rng = ItemRandom.rng(seed: options.seed, stream: "samples-scene", index: i)
            let scene = sampler.scene(for: .train, rng: &rng)
            let file = "scene\(i + 1).png"
            try writePicture(scene, rng: &rng, to: dir.appendingPathComponent(file))
            let refs = Captioning.references(for: scene, names: names)
            records.append(ManifestRecord(id: "sample-scene\(i + 1)", image: file, prompt: Prompt.caption,
                                          text: refs[0], references: refs, task: "caption"))
        }
        if clips > 0 {
            let synthesizer = try SpeechSynthesizer()
            for i in 0..<clips {
                var rng = ItemRandom.rng(seed: options.seed, stream: "samples-speech", index: i)
                let scene = sampler.scene(for: .train, rng: &rng)
                let sentence = Captioning.references(for: scene, names: names)[0]
                let file = "speech\(i + 1).flac"
                let said = try speak(sentence, fallback: Captioning.list(scene.placements.map { names[$0.object] }),
                                     split: .train, synthesizer: synthesizer, rng: &rng,
                                     to: dir.appendingPathComponent(file))
                records.append(ManifestRecord(id: "sample-speech\(i + 1)", audio: file, prompt: Prompt.transcribe,
                                              text: said.text, references: [said.text], task: "transcribe",
                                              extra: said.extra))
            }
        }
        try write(records, to: dir.appendingPathComponent("samples.jsonl"))
        return records
    }
}
