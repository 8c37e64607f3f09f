import Foundation
import Inputs
import Kernels

extension DatasetBuilder {
    /// Scenes (image → caption): `img/<split>/<n>.png` and one manifest per split. The training
    /// text is one of the references, picked by the item's random stream.
    func buildScenes(in dir: URL) throws -> [Split: [ManifestRecord]] {
        var out: [Split: [ManifestRecord]] = [:]
        for split in Split.allCases {
            let images = try DatasetBuilder.folder(dir.appendingPathComponent("img/\(split.rawValue)"))
            out[split] = try makeItems("scenes/\(split.rawValue)", options.scenes[split]) { i in
                var rng = ItemRandom.rng(seed: options.seed, stream: "scenes-\(split.rawValue)", index: i)
                let scene = sampler.scene(for: split, rng: &rng)
                let stem = DatasetBuilder.stem(i)
                try writePicture(scene, rng: &rng, to: images.appendingPathComponent("\(stem).png"))
                let refs = Captioning.references(for: scene, names: names)
                return ManifestRecord(id: "scenes-\(split.rawValue)-\(stem)", image: "img/\(split.rawValue)/\(stem).png",
                                      prompt: Prompt.caption, text: refs[Int(rng.next() % UInt64(refs.count))],
                                      references: refs, task: "caption", extra: [("scene", scene.layout(names: names))])
            }
        }
        return out
    }

    /// Speech (audio → text): a caption-like sentence or a list of object names, spoken by a
    /// voice of the split at a random speed and pitch, stored as 16 kHz FLAC.
    func buildSpeech(in dir: URL, synthesizer: SpeechSynthesizer?) throws -> [Split: [ManifestRecord]] {
        var out: [Split: [ManifestRecord]] = [:]
        for split in Split.allCases {
            let clips = try DatasetBuilder.folder(dir.appendingPathComponent("audio/\(split.rawValue)"))
            out[split] = try makeItems("speech/\(split.rawValue)", options.speech[split]) { i in
                var rng = ItemRandom.rng(seed: options.seed, stream: "speech-\(split.rawValue)", index: i)
                let scene = sampler.scene(for: split, rng: &rng)
                let sentence = Captioning.spokenSentence(for: scene, names: names, rng: &rng)
                let names = scene.placements.map { self.names[$0.object] }
                let said = try speak(sentence, fallback: Captioning.list(names), split: split, synthesizer: synthesizer, rng: &rng,
                                     to: clips.appendingPathComponent("\(DatasetBuilder.stem(i)).flac"))
                return ManifestRecord(id: "speech-\(split.rawValue)-\(DatasetBuilder.stem(i))",
                                      audio: "audio/\(split.rawValue)/\(DatasetBuilder.stem(i)).flac",
                                      prompt: Prompt.transcribe, text: said.text, references: [said.text],
                                      task: "transcribe", extra: said.extra)
            }
        }
        return out
    }

    /// Audio-visual questions (image + spoken question → short answer).
    func buildQuestions(in dir: URL, synthesizer: SpeechSynthesizer?) throws -> [Split: [ManifestRecord]] {
        var out: [Split: [ManifestRecord]] = [:]
        for split in Split.allCases {
            let images = try DatasetBuilder.folder(dir.appendingPathComponent("img/\(split.rawValue)"))
            let clips = try DatasetBuilder.folder(dir.appendingPathComponent("audio/\(split.rawValue)"))
            out[split] = try makeItems("avqa/\(split.rawValue)", options.avqa[split]) { i in
                var rng = ItemRandom.rng(seed: options.seed, stream: "avqa-\(split.rawValue)", index: i)
                let scene = sampler.scene(for: split, rng: &rng)
                let stem = DatasetBuilder.stem(i)
                try writePicture(scene, rng: &rng, to: images.appendingPathComponent("\(stem).png"))
                let question = Question.draw(for: scene, names: names, objectCount: objects.count, rng: &rng)
                let said = try speak(question.text, fallback: nil, split: split, synthesizer: synthesizer, rng: &rng,
                                     to: clips.appendingPathComponent("\(stem).flac"))
                return ManifestRecord(id: "avqa-\(split.rawValue)-\(stem)", image: "img/\(split.rawValue)/\(stem).png",
                                      audio: "audio/\(split.rawValue)/\(stem).flac", prompt: Prompt.vqa,
                                      text: question.answer, references: [question.answer], task: "vqa",
                                      extra: [("question", question.text), ("kind", question.kind.rawValue),
                                              ("scene", scene.layout(names: names))] + said.extra)
            }
        }
        return out
    }

    /// Held-out text for perplexity: captions of test-split scenes, each naming an object at a
    /// place training never shows it at, so no line repeats a training caption.
    func heldoutText() -> [ManifestRecord] {
        (0..<options.heldoutText).map { i in
            var rng = ItemRandom.rng(seed: options.seed, stream: "text-heldout", index: i)
            let scene = sampler.scene(for: .test, rng: &rng)
            let refs = Captioning.references(for: scene, names: names)
            let line = refs[Int(rng.next() % UInt64(refs.count))]
            return ManifestRecord(id: "text-\(DatasetBuilder.stem(i))", text: line, references: [line], task: "text")
        }
    }

    /// Speaks `text` with a voice of `split` at 150–219 words a minute and pitch 25–74, and writes
    /// it as FLAC. A clip longer than `maxSpeechSeconds` is spoken again at 240 words a minute,
    /// and if still too long, `fallback` is said instead. Returns what was said and the extra
    /// manifest fields (voice, speed, pitch).
    func speak(_ text: String, fallback: String?, split: Split, synthesizer: SpeechSynthesizer?, rng: inout SplitMix,
               to url: URL) throws -> (text: String, extra: [(key: String, value: String)]) {
        guard let synthesizer else { throw DatasetError("\(url.path): speech needs espeak-ng") }
        let voices = synthesizer.voices(for: split)
        let voice = voices[Int(rng.next() % UInt64(voices.count))]
        var speed = 150 + Int(rng.next() % 70)
        let pitch = 25 + Int(rng.next() % 50)
        var said = text
        var audio = try synthesizer.speak(said, voice: voice, speed: speed, pitch: pitch)
        for retry in [text, fallback] {
            guard audio.seconds > options.maxSpeechSeconds, let retry else { break }
            said = retry
            speed = 240
            audio = try synthesizer.speak(said, voice: voice, speed: speed, pitch: pitch)
        }
        guard audio.seconds <= options.maxSpeechSeconds else {
            throw DatasetError("\(url.path): \"\(said)\" takes \(String(format: "%.1f", audio.seconds)) s, over the \(options.maxSpeechSeconds) s limit")
        }
        try AudioFile.write(audio.samples, sampleRate: audio.sampleRate, to: url)
        return (said, [("voice", voice.description), ("speed", String(speed)), ("pitch", String(pitch))])
    }
}
