import Datasets
import Foundation
import Inputs
import Testing

/// espeak-ng is needed for speech; `make deps` installs it. Without it these tests show as skipped.
let espeakAvailable = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
    .contains { FileManager.default.isExecutableFile(atPath: "\($0)/espeak-ng") } ?? false

/// A micro build, made once and shared by the tests below (and removed at exit).
struct MicroBuild: Sendable {
    let dir: URL
    let counts: [String: Int]
    let builder: DatasetBuilder
    let synthesizer: SpeechSynthesizer

    static let shared: Result<MicroBuild, DatasetError> = {
        do { return .success(try MicroBuild()) } catch { return .failure(DatasetError("micro build failed: \(error)")) }
    }()

    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("moe-mm-\(name)-\(ProcessInfo.processInfo.processIdentifier)")
    }

    private init() throws {
        dir = MicroBuild.temporary("micro")
        synthesizer = try SpeechSynthesizer()
        builder = try DatasetBuilder(options: .micro(seed: 0), assets: assets)
        counts = try builder.build(into: dir, synthesizer: synthesizer)
        atexit { try? FileManager.default.removeItem(at: MicroBuild.temporary("micro")) }
    }

    func records(_ manifest: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: dir.appendingPathComponent(manifest), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// (object, place) pairs of a manifest's scenes, one set per line, from the "scene" field.
    func pairs(_ manifest: String) throws -> [Set<String>] {
        try records(manifest).map { r in
            let layout = try #require(r["scene"] as? String)
            return Set(layout.split(separator: "|").filter { !$0.hasPrefix("background=") }.map(String.init))
        }
    }
}

@Suite(.enabled(if: espeakAvailable, "espeak-ng is not installed"))
struct DatasetBuildTests {
    @Test func microBuildHasTheAskedCountsInEveryManifestAndFolder() throws {
        let b = try MicroBuild.shared.get()
        let o = BuildOptions.micro()
        for (part, sizes) in [("scenes", o.scenes), ("speech", o.speech), ("avqa", o.avqa)] {
            for split in Split.allCases {
                let lines = try b.records("\(part)/\(split.rawValue).jsonl").count
                #expect(lines == sizes[split] && b.counts["\(part)/\(split.rawValue)"] == sizes[split],
                        "\(part)/\(split.rawValue): \(lines) lines, expected \(sizes[split])")
            }
        }
        let pictures = try FileManager.default.contentsOfDirectory(atPath: b.dir.appendingPathComponent("scenes/img/train").path)
        #expect(pictures.count == o.scenes.train, "\(pictures.count) training pictures")
        #expect(try b.records("text/heldout.jsonl").count == o.heldoutText)
        for (name, n) in [("caption", o.scenes.test), ("caption_seen", o.scenes.val), ("transcribe", o.speech.test),
                          ("vqa", o.avqa.test), ("text", o.heldoutText)] {
            let records = try b.records("benchmarks/\(name).jsonl")
            #expect(records.count == n, "benchmark \(name): \(records.count), expected \(n)")
        }
        let tasks = try b.records("benchmarks/vqa.jsonl").compactMap { $0["task"] as? String }
        #expect(Set(tasks) == ["vqa"], "vqa benchmark tasks \(Set(tasks))")
        let caption = try b.records("benchmarks/caption.jsonl")
        #expect(caption.allSatisfy { (($0["references"] as? [String])?.count ?? 0) >= 3 }, "caption references fewer than 3")
    }

    @Test func testSplitHoldsPairsAndVoicesTrainingNeverHas() throws {
        let b = try MicroBuild.shared.get()
        for part in ["scenes", "avqa"] {
            let seen = try b.pairs("\(part)/train.jsonl").reduce(into: Set<String>()) { $0.formUnion($1) }
            for (n, scene) in try b.pairs("\(part)/test.jsonl").enumerated() {
                #expect(!scene.isSubset(of: seen), "\(part) test line \(n + 1): every pair of \(scene) is in training")
            }
        }
        for part in ["speech", "avqa"] {
            let train = Set(try b.records("\(part)/train.jsonl").compactMap { $0["voice"] as? String })
            let test = Set(try b.records("\(part)/test.jsonl").compactMap { $0["voice"] as? String })
            #expect(!test.isEmpty && train.isDisjoint(with: test), "\(part) voices in both: \(train.intersection(test))")
        }
    }

    @Test func spokenClipsAre16kHzFLACUnderTheLimit() throws {
        let b = try MicroBuild.shared.get()
        for manifest in ["speech/train.jsonl", "speech/test.jsonl", "avqa/val.jsonl"] {
            for sample in try Manifest(contentsOf: b.dir.appendingPathComponent(manifest)).samples {
                let url = try #require(sample.audio)
                let audio = try AudioFile.read(url)
                #expect(url.pathExtension == "flac" && audio.sampleRate == 16000, "\(url.lastPathComponent): \(audio.sampleRate) Hz")
                #expect(audio.seconds > 0.2 && audio.seconds <= BuildOptions.micro().maxSpeechSeconds,
                        "\(url.lastPathComponent) lasts \(audio.seconds) s")
            }
        }
    }

    @Test func everyManifestLineRoundTripsThroughTheReader() throws {
        let b = try MicroBuild.shared.get()
        let manifests = b.counts.keys.map { $0 + ".jsonl" }
        #expect(manifests.count == 15, "\(manifests.count) manifests: \(manifests.sorted())")
        for manifest in manifests {
            let url = b.dir.appendingPathComponent(manifest)
            let read = try Manifest(contentsOf: url).samples
            let written = try b.records(manifest)
            #expect(read.count == written.count, "\(manifest): read \(read.count) of \(written.count)")
            for (sample, record) in zip(read, written) {
                #expect(sample.id == record["id"] as? String && sample.text == record["text"] as? String
                        && sample.references == record["references"] as? [String] && sample.task == record["task"] as? String
                        && sample.prompt == (record["prompt"] as? String ?? ""), "\(manifest):\(sample.line) differs from \(record)")
                for (url, key) in [(sample.image, "image"), (sample.audio, "audio")] {
                    guard let path = record[key] as? String else { #expect(url == nil); continue }
                    let expected = url?.path == b.dir.appendingPathComponent(manifest).deletingLastPathComponent()
                        .appendingPathComponent(path).standardizedFileURL.path
                    #expect(expected && FileManager.default.fileExists(atPath: url?.path ?? ""),
                            "\(manifest):\(sample.line): \(key) \(path) resolved to \(String(describing: url))")
                }
            }
        }
    }

    @Test func sameSeedGivesIdenticalBytesAndAnotherSeedDiffers() throws {
        let b = try MicroBuild.shared.get()
        let again = MicroBuild.temporary("micro-again"), other = MicroBuild.temporary("micro-seed1")
        defer {
            try? FileManager.default.removeItem(at: again)
            try? FileManager.default.removeItem(at: other)
        }
        try DatasetBuilder(options: .micro(seed: 0), assets: assets).build(into: again, synthesizer: b.synthesizer)
        let first = try FileDigests(root: b.dir), second = try FileDigests(root: again)
        let o = BuildOptions.micro()
        func total(_ s: SplitSizes) -> Int { s.train + s.val + s.test }
        // Pictures, clips, pictures and clips, 15 manifests and build.json.
        let files = total(o.scenes) + total(o.speech) + 2 * total(o.avqa) + 15 + 1
        #expect(first.digests.count == files, "\(first.digests.count) files hashed, expected \(files)")
        #expect(first.differences(from: second).isEmpty, "files differ between two builds: \(first.differences(from: second).prefix(5))")
        #expect(first.combined == second.combined)

        var options = BuildOptions.micro(seed: 1)
        options.speech = SplitSizes(train: 0, val: 0, test: 0)
        options.avqa = SplitSizes(train: 0, val: 0, test: 0)
        try DatasetBuilder(options: options, assets: assets).build(into: other)
        let seeded = try FileDigests(root: other, parts: ["scenes"]), scenes = try FileDigests(root: b.dir, parts: ["scenes"])
        let differing = scenes.differences(from: seeded).count
        #expect(differing > scenes.digests.count * 9 / 10,
                "seed 1 changed only \(differing) of \(scenes.digests.count) scene files")
    }
}
