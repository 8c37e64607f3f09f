import Dispatch
import Foundation
import Inputs
import Kernels

/// Builds the bundled data (scenes, speech, audio-visual questions, held-out text, benchmark
/// suites) from the emoji artwork and espeak-ng. The same options give byte-identical files:
/// every item draws from its own random stream (see `ItemRandom`), lists are in index order,
/// and nothing records a time or a machine.
public struct DatasetBuilder: Sendable {
    public let options: BuildOptions
    public let catalog: EmojiCatalog
    /// The vocabulary, in code point order; scenes refer to objects by index into it.
    public let objects: [EmojiObject]
    public let names: [String]
    public let sampler: SceneSampler
    let compositor: Compositor
    /// Progress lines ("scenes/train: 9000 in 12.1 s").
    let log: @Sendable (String) -> Void

    /// The prompts written into the manifests, one per task.
    public enum Prompt {
        public static let caption = "describe the picture"
        public static let transcribe = "transcribe the speech"
        public static let vqa = "answer the question"
    }

    /// The generated parts of an output folder: what a build replaces and `--verify` compares.
    public static let parts = ["scenes", "speech", "avqa", "text", "benchmarks", "build.json"]

    public init(options: BuildOptions, assets: URL, log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        try options.validate()
        self.options = options
        self.log = log
        let catalog = try EmojiCatalog(directory: assets)
        let concrete = catalog.concreteObjects
        if let n = options.objectCount, n > concrete.count {
            throw DatasetError("asked for \(n) objects but \(assets.path) has \(concrete.count) concrete ones")
        }
        let objects = options.objectCount.map { catalog.subset(count: $0) } ?? concrete
        self.catalog = catalog
        self.objects = objects
        names = objects.map(\.name)
        sampler = SceneSampler(objectCount: objects.count, seed: options.seed)
        compositor = try Compositor(catalog: catalog, objects: objects, side: options.imageSide)
    }

    /// Builds everything into a staging folder inside `out`, then swaps each part into place, so
    /// a failed build leaves the previous data untouched. Returns the sample counts per manifest.
    /// `synthesizer` saves probing the voices again; without one, one is made if speech is asked for.
    @discardableResult
    public func build(into out: URL, synthesizer: SpeechSynthesizer? = nil) throws -> [String: Int] {
        let fm = FileManager.default
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        let stage = out.appendingPathComponent(".staging")
        try? fm.removeItem(at: stage)
        try fm.createDirectory(at: stage, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: stage) }

        let spoken = Split.allCases.contains { options.speech[$0] + options.avqa[$0] > 0 }
        let synthesizer = try synthesizer ?? (spoken ? SpeechSynthesizer() : nil)
        if let synthesizer {
            log("voices: \(synthesizer.trainVoices.count) for train and val, \(synthesizer.testVoices.count) for test")
        }
        var counts: [String: Int] = [:]
        var benchmarks: [String: [ManifestRecord]] = [:]

        let scenes = try buildScenes(in: stage.appendingPathComponent("scenes"))
        let speech = try buildSpeech(in: stage.appendingPathComponent("speech"), synthesizer: synthesizer)
        let avqa = try buildQuestions(in: stage.appendingPathComponent("avqa"), synthesizer: synthesizer)
        for (part, manifests) in [("scenes", scenes), ("speech", speech), ("avqa", avqa)] {
            for split in Split.allCases {
                let records = manifests[split] ?? []
                try write(records, to: stage.appendingPathComponent("\(part)/\(split.rawValue).jsonl"))
                counts["\(part)/\(split.rawValue)"] = records.count
            }
        }
        let heldout = heldoutText()
        try write(heldout, to: stage.appendingPathComponent("text/heldout.jsonl"))
        counts["text/heldout"] = heldout.count

        benchmarks["caption"] = scenes[.test]?.map { $0.relocated(under: "../scenes/") }
        benchmarks["caption_seen"] = scenes[.val]?.map { $0.relocated(under: "../scenes/") }
        benchmarks["transcribe"] = speech[.test]?.map { $0.relocated(under: "../speech/") }
        benchmarks["vqa"] = avqa[.test]?.map { $0.relocated(under: "../avqa/") }
        benchmarks["text"] = heldout
        for (name, records) in benchmarks.sorted(by: { $0.key < $1.key }) where !records.isEmpty {
            try write(records, to: stage.appendingPathComponent("benchmarks/\(name).jsonl"))
            counts["benchmarks/\(name)"] = records.count
        }
        try buildInfo(counts: counts, synthesizer: synthesizer).write(to: stage.appendingPathComponent("build.json"))

        for part in DatasetBuilder.parts {
            let target = out.appendingPathComponent(part), staged = stage.appendingPathComponent(part)
            try? fm.removeItem(at: target)
            if fm.fileExists(atPath: staged.path) { try fm.moveItem(at: staged, to: target) }
        }
        return counts
    }

    /// One manifest, its folder created if needed.
    func write(_ records: [ManifestRecord], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ManifestRecord.jsonl(records).write(to: url)
    }

    /// Makes items `0..<n` on all cores; `make` must only touch its own files.
    func makeItems(_ label: String, _ n: Int, _ make: (Int) throws -> ManifestRecord) throws -> [ManifestRecord] {
        let start = DispatchTime.now().uptimeNanoseconds
        var results = [ManifestRecord?](repeating: nil, count: n)
        var errors = [Error?](repeating: nil, count: n)
        results.withUnsafeMutableBufferPointer { out in
            errors.withUnsafeMutableBufferPointer { failed in
                parallelFor(n) { range in
                    for i in range {
                        do { out[i] = try make(i) } catch {
                            failed[i] = error
                            return
                        }
                    }
                }
            }
        }
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        log(String(format: "%@: %d in %.1f s", label, n, seconds))
        return results.map { $0! }
    }

    static func folder(_ url: URL) throws -> URL {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Six-digit file stems keep listings in index order.
    static func stem(_ i: Int) -> String { String(format: "%06d", i) }

    /// A picture of `scene`, written as PNG at `url`.
    func writePicture(_ scene: Scene, rng: inout SplitMix, to url: URL) throws {
        let image = compositor.render(scene, rng: &rng)
        let png = try PNG.encode(image, name: url.path)
        do { try png.write(to: url) } catch { throw DatasetError("\(url.path): cannot write (\(error.localizedDescription))") }
    }

    /// What was built from what: options, vocabulary with each object's test-only place, voices.
    func buildInfo(counts: [String: Int], synthesizer: SpeechSynthesizer?) throws -> Data {
        let info: [String: Any] = [
            "seed": NSNumber(value: options.seed),
            "image_side": options.imageSide,
            "max_speech_seconds": options.maxSpeechSeconds,
            "counts": counts,
            "objects": objects.enumerated().map { i, o in
                ["codepoint": o.codepoint, "name": o.name, "cldr_name": o.cldrName,
                 "category": o.category?.rawValue ?? "", "test_place": sampler.reserved[i].description]
            },
            "voices": ["train": synthesizer?.trainVoices.map(\.description) ?? [],
                       "test": synthesizer?.testVoices.map(\.description) ?? []],
        ]
        return try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys, .prettyPrinted])
    }
}
