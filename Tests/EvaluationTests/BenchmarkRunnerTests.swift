import Evaluation
import Foundation
import Inference
import Inputs
import Kernels
import Model
import Testing
import TestSupport

@Suite struct BenchmarkRunnerTests {
    @Test func everyTaskIsScoredByItsMetricOnTheModelsOwnAnswers() throws {
        let fixture = try BenchmarkFixture()
        let runner = try fixture.runner(fixture.model())
        let urls = try BenchmarkRunner.manifests(in: fixture.benchmarks)
        #expect(urls.map(\.lastPathComponent) == ["caption.jsonl", "text.jsonl", "transcribe.jsonl", "vqa.jsonl"],
                "manifests found: \(urls.map(\.lastPathComponent))")
        let rows = try urls.flatMap { try runner.run($0) }
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
        let expected: [String: (BenchmarkTask, Int)] = ["caption": (.caption, 3), "transcribe": (.transcribe, 2), "vqa": (.vqa, 3), "text": (.text, 3)]
        for (name, (task, count)) in expected {
            let row = try #require(byName[name], "no row for \(name); rows: \(rows.map(\.name))")
            #expect(row.task == task, "\(name): task \(String(describing: row.task)), expected \(task)")
            #expect(row.samples == count, "\(name): \(row.samples) samples scored, expected \(count)")
            #expect(Set(row.metrics.keys) == Set(task.metrics), "\(name): metrics \(row.metrics.keys.map(\.rawValue).sorted()), expected \(task.metrics.map(\.rawValue))")
            guard task.generates else { continue }
            // The row's numbers are its task's metric over the answers it reports.
            #expect(row.predictions.map(\.id) == Self.ids(name, fixture), "\(name): answered \(row.predictions.map(\.id))")
            let samples = try Manifest(contentsOf: fixture.manifest(name), skipBadLines: true).samples
            let items = try row.predictions.map { p in
                let sample = samples.first { $0.id == p.id }!
                return TaskScoring.Item(id: p.id, prediction: p.text, references: sample.references,
                                        scene: task == .caption ? try SceneLayout.of(sample) : nil)
            }
            let again = try TaskScoring.score(task, items)
            #expect(again.count == row.metrics.count, "\(name): rescored \(again.keys.map(\.rawValue).sorted()), row has \(row.metrics.keys.map(\.rawValue).sorted())")
            for (metric, value) in again {
                #expect(row.metrics[metric] == value, "\(name) \(metric.label): row \(row.metrics[metric] ?? .nan), rescored \(value)")
            }
        }
        let caption = byName["caption"]!, candidates = caption.predictions.map(\.text)
        let direct = try CaptionMetrics.score([
            (id: "c1", candidate: candidates[0], references: ["a red square on green grass", "red block on a lawn"]),
            (id: "c2", candidate: candidates[1], references: ["a blue circle in the sky", "blue ball up high"]),
            (id: "c3", candidate: candidates[2], references: ["two green triangles", "green shapes"]),
        ])
        #expect(caption.metrics[.ciderD] == direct.ciderD, "caption CIDEr-D \(caption.metrics[.ciderD] ?? .nan), CaptionMetrics \(direct.ciderD)")
        #expect(caption.metrics[.bleu4] == direct.bleu[3], "caption BLEU-4 \(caption.metrics[.bleu4] ?? .nan), CaptionMetrics \(direct.bleu[3])")
    }

    static func ids(_ name: String, _ fixture: BenchmarkFixture) -> [String] {
        ["caption": ["c1", "c2", "c3"], "transcribe": ["s1", "s2"], "vqa": ["v1", "v3", "v5"]][name]!
    }

    @Test func brokenSamplesAreReportedByLineAndTheRestScored() throws {
        let fixture = try BenchmarkFixture()
        let rows = try fixture.runner(fixture.model()).run(fixture.manifest("vqa"))
        #expect(rows.count == 1, "one task gives one row, got \(rows.map(\.name))")
        let row = rows[0]
        let file = fixture.manifest("vqa").relativePath
        let lines = row.problems.map { p in p.hasPrefix(file + ":") ? Int(p.dropFirst(file.count + 1).prefix { $0.isNumber }) : nil }
        #expect(lines == [2, 4, 6], "problems should name lines 2 (bad JSON), 4 (missing image), 6 (unknown task): \(row.problems)")
        #expect(row.problems.count == 3 && row.problems[1].contains("9.png") && row.problems[2].contains("poem"),
                "problems should say what is wrong: \(row.problems)")
        #expect(row.samples == 3 && row.predictions.map(\.id) == ["v1", "v3", "v5"], "scored \(row.samples): \(row.predictions.map(\.id))")
    }

    @Test func textPerplexityIsTheMeanTokenNLLOverTheWholeBenchmark() throws {
        let fixture = try BenchmarkFixture()
        let model = fixture.model()
        let row = try fixture.runner(model, batchSize: 2).run(fixture.manifest("text"))[0]
        // Each text alone, its own forward: the batches of two must not change the sum.
        var nll = 0.0, tokens = 0
        for sample in try Manifest(contentsOf: fixture.manifest("text")).samples {
            let loss = model.loss(Batch([try fixture.builder.example(sample)], config: fixture.config), gradScale: 0)
            nll += loss.lm * Double(loss.targets)
            tokens += loss.targets
        }
        let expected = exp(nll / Double(tokens))
        let r = closeness([Float(row.metrics[.perplexity] ?? .nan)], [Float(expected)], rtol: 1e-4, atol: 0, "text perplexity")
        #expect(r.ok, "\(r.message)")
        // An untrained model is close to uniform over the vocabulary.
        #expect(abs(log(expected) - log(Double(fixture.config.vocabSize))) < 0.5,
                "untrained perplexity \(expected) is far from the vocabulary size \(fixture.config.vocabSize)")
        let e = try #require(row.efficiency)
        #expect(e.tokens == tokens, "scored \(e.tokens) tokens, the texts and their <|eos|> have \(tokens)")
        #expect(e.batches == 2 && e.perTokenMs == nil, "text: \(e.batches) batches (expected 2), per-token latency \(String(describing: e.perTokenMs))")
    }

    @Test func efficiencyCountsParametersFlopsBatchesAndMemory() throws {
        let fixture = try BenchmarkFixture()
        let rows = try fixture.runner(fixture.model(), batchSize: 2, maxTokens: 6).run(fixture.manifest("caption"))
        let e = try #require(rows[0].efficiency)
        let a = Accounting(fixture.config)
        #expect(e.parametersTotal == a.total, "total parameters \(e.parametersTotal), Accounting \(a.total)")
        #expect(e.parametersActive == Double(a.active(.text)), "active \(e.parametersActive), Accounting per text token \(a.active(.text))")
        #expect(e.batches == 2, "3 samples in batches of 2 make 2 batches, got \(e.batches)")
        #expect(e.tokens >= 3 && e.tokens <= 18, "3 answers of 1...6 tokens produced \(e.tokens)")
        // Each answer's tokens attend to the 1 + 4 image positions and the tokens before them.
        #expect(e.meanContext >= 5 && e.meanContext <= 10, "mean context \(e.meanContext) outside 5...10")
        let low = a.flopsPerToken(.text, context: Int(e.meanContext.rounded(.down)))
        let high = a.flopsPerToken(.text, context: Int(e.meanContext.rounded(.up)))
        #expect(e.flopsPerToken >= low && e.flopsPerToken <= high, "FLOPs per token \(e.flopsPerToken) not within [\(low), \(high)]")
        #expect(e.prefillMs.p50 > 0 && e.prefillMs.p50 <= e.prefillMs.p95, "prefill p50 \(e.prefillMs.p50), p95 \(e.prefillMs.p95)")
        let perToken = try #require(e.perTokenMs)
        #expect(perToken.p50 > 0 && perToken.p50 <= perToken.p95, "per-token p50 \(perToken.p50), p95 \(perToken.p95)")
        #expect(abs(e.tokensPerSecond - Double(e.tokens) / e.modelSeconds) < 1e-9, "tokens/s \(e.tokensPerSecond) is not tokens / model seconds")
        #expect(e.wallSeconds >= e.modelSeconds, "wall \(e.wallSeconds) s below model time \(e.modelSeconds) s")
        #expect(e.peakMemoryMiB > 1 && e.peakMemoryMiB < 100_000, "peak memory \(e.peakMemoryMiB) MiB")
        #expect(e.skipRatio == nil, "skip ratio \(String(describing: e.skipRatio)) without skipping")
    }

    @Test func skippingEveryRoutedExpertIsReportedAndTakenOffTheActiveCount() throws {
        let fixture = try BenchmarkFixture()
        let model = fixture.model()
        for layer in model.moeLayers { layer.skip = SkipRule(alpha: [1, 1, 1], tau: [.infinity, .infinity, .infinity]) }
        for name in ["caption", "text"] {
            let e = try #require(try fixture.runner(model).run(fixture.manifest(name))[0].efficiency)
            #expect(e.skipRatio == 1, "\(name): skip ratio \(String(describing: e.skipRatio)) with every expert skipped")
            // Hand count: one MoE layer, the text group's top-2 of SwiGLU experts 3 · d 16 · hidden 12.
            let expected = Double(Accounting(fixture.config).active(.text) - 2 * 3 * 16 * 12)
            #expect(e.parametersActive == expected, "\(name): active \(e.parametersActive), expected \(expected)")
        }
    }

    @Test func aManifestMixingTasksGivesARowPerTask() throws {
        let fixture = try BenchmarkFixture()
        let url = try fixture.extraManifest("mixed.jsonl", [
            #"{"id": "m1", "text": "blue sky", "task": "text"}"#,
            #"{"id": "m2", "image": "../media/0.png", "references": ["red"], "task": "caption"}"#,
            #"{"id": "m3", "text": "green grass", "task": "text"}"#,
        ])
        let rows = try fixture.runner(fixture.model()).run(url)
        #expect(rows.map(\.name) == ["mixed[text]", "mixed[caption]"] && rows.map(\.samples) == [2, 1],
                "rows \(rows.map(\.name)) with \(rows.map(\.samples)) samples")
    }

    @Test func tooLongPromptsAndUnreadableManifestsAreReportedNotFatal() throws {
        let fixture = try BenchmarkFixture()
        let long = String(repeating: "what colour is the square? ", count: 12)
        let url = try fixture.extraManifest("long.jsonl", [
            #"{"id": "ok", "image": "../media/0.png", "references": ["red"], "task": "caption"}"#,
            #"{"id": "long", "image": "../media/0.png", "prompt": "\#(long)", "references": ["red"], "task": "caption"}"#,
        ])
        let row = try fixture.runner(fixture.model()).run(url)[0]
        #expect(row.samples == 1 && row.problems.count == 1 && row.problems[0].contains(":2:") && row.problems[0].contains("max_positions"),
                "\(row.samples) scored, problems \(row.problems)")
        let empty = try fixture.extraManifest("empty.jsonl", [])
        let none = try fixture.runner(fixture.model()).run(empty)
        #expect(none.count == 1 && none[0].samples == 0 && none[0].task == nil && none[0].problems.count == 1,
                "an empty manifest should give one empty row with its reason: \(none.map(\.problems))")
    }

    @Test func aMalformedCaptionSceneIsReportedByLineAndOtherTasksIgnoreScenes() throws {
        let fixture = try BenchmarkFixture()
        let url = try fixture.extraManifest("scenes.jsonl", [
            #"{"id": "good", "image": "../media/0.png", "references": ["red"], "task": "caption", "scene": "middle=red square|background=green"}"#,
            #"{"id": "bad", "image": "../media/0.png", "references": ["red"], "task": "caption", "scene": "middle=red square"}"#,
            #"{"id": "q", "image": "../media/0.png", "prompt": "what colour?", "references": ["red"], "task": "vqa", "scene": "nonsense"}"#,
        ])
        let rows = try fixture.runner(fixture.model()).run(url)
        #expect(rows.map(\.name) == ["scenes[caption]", "scenes[vqa]"] && rows.map(\.samples) == [1, 1],
                "rows \(rows.map(\.name)) with \(rows.map(\.samples)) samples, expected one caption and one vqa")
        #expect(rows[0].problems == ["\(url.relativePath):2: sample bad: scene \"middle=red square\": no background"],
                "problems \(rows[0].problems)")
        #expect(rows[0].metrics[.objectAccuracy] != nil, "the good caption's scene should give an object accuracy: \(rows[0].metrics)")
    }

    @Test func onlyNamesBenchmarksThatExist() throws {
        let fixture = try BenchmarkFixture()
        let chosen = try BenchmarkRunner.manifests(in: fixture.benchmarks, only: ["vqa", "caption"])
        #expect(chosen.map(\.lastPathComponent) == ["vqa.jsonl", "caption.jsonl"], "chose \(chosen.map(\.lastPathComponent))")
        #expect {
            try BenchmarkRunner.manifests(in: fixture.benchmarks, only: ["captions"])
        } throws: { error in
            "\(error)".contains("\"captions\"") && "\(error)".contains("caption, text, transcribe, vqa")
        }
    }
}
