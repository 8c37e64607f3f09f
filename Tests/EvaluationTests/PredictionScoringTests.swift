import Evaluation
import Foundation
import Testing
import TestSupport

@Suite struct PredictionScoringTests {
    /// Writes `lines` to `name` in `dir`.
    static func file(_ dir: TemporaryDirectory, _ name: String, _ lines: [String]) throws -> URL {
        let url = dir.file(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    static let captions: [(id: String, references: [String])] = [
        ("1", ["A man rides a brown horse on the beach.", "a person riding a horse by the sea"]),
        ("2", ["Two dogs play with a red ball in the park.", "dogs playing with a ball"]),
        ("3", ["A bowl of soup sits next to a loaf of bread.", "soup and bread on a table"]),
    ]

    static func captionManifest(_ dir: TemporaryDirectory) throws -> URL {
        try file(dir, "caption.jsonl", captions.map { c in
            #"{"id": "\#(c.id)", "image": "img/\#(c.id).png", "references": [\#(c.references.map { "\"\($0)\"" }.joined(separator: ", "))], "task": "caption"}"#
        })
    }

    @Test func perfectPredictionsScoreExactly() throws {
        let dir = try TemporaryDirectory()
        // Captions: the candidate is the first reference, so BLEU is exactly 1 and CIDEr-D is
        // whatever CaptionMetrics gives that case.
        let captionPredictions = try Self.file(dir, "caption-pred.jsonl", Self.captions.map { c in
            #"{"id": "\#(c.id)", "text": "\#(c.references[0])"}"#
        })
        let caption = try PredictionScoring.score(PredictionFile(contentsOf: captionPredictions), benchmark: Self.captionManifest(dir))
        let expected = try CaptionMetrics.score(Self.captions.map { (id: $0.id, candidate: $0.references[0], references: $0.references) })
        #expect(caption.count == 1 && caption[0].samples == 3, "caption rows \(caption.map(\.name)), samples \(caption.map(\.samples))")
        #expect(caption[0].metrics[.ciderD] == expected.ciderD, "CIDEr-D \(caption[0].metrics[.ciderD] ?? .nan), CaptionMetrics \(expected.ciderD)")
        #expect(expected.ciderD > 1, "CIDEr-D of candidates equal to a reference should be well above 1, got \(expected.ciderD)")
        for (i, metric) in [QualityMetric.bleu1, .bleu2, .bleu3, .bleu4].enumerated() {
            #expect(abs((caption[0].metrics[metric] ?? .nan) - 1) < 1e-9, "\(metric.label) \(caption[0].metrics[metric] ?? .nan), expected 1")
            #expect(caption[0].metrics[metric] == expected.bleu[i], "\(metric.label) differs from CaptionMetrics \(expected.bleu[i])")
        }
        #expect(caption[0].metrics[.rougeL] == expected.rougeL, "ROUGE-L \(caption[0].metrics[.rougeL] ?? .nan), CaptionMetrics \(expected.rougeL)")
        #expect(caption[0].missingIds == [] && caption[0].extraIds == [], "missing \(caption[0].missingIds ?? []), extra \(caption[0].extraIds ?? [])")

        let speech = try Self.file(dir, "speech.jsonl", [
            #"{"id": "a", "audio": "a.flac", "text": "The cat sat down.", "task": "transcribe"}"#,
            #"{"id": "b", "audio": "b.flac", "text": "hello world", "task": "transcribe"}"#,
        ])
        let perfect = try Self.file(dir, "speech-perfect.jsonl", [#"{"id": "a", "text": "the cat sat down"}"#, #"{"id": "b", "text": "Hello, world!"}"#])
        let wer0 = try PredictionScoring.score(PredictionFile(contentsOf: perfect), benchmark: speech)
        #expect(wer0[0].metrics == [.wer: 0], "perfect transcripts: \(wer0[0].metrics)")
        // One deleted word over 4 + 2 reference words.
        let oneOff = try Self.file(dir, "speech-off.jsonl", [#"{"id": "a", "text": "the cat sat"}"#, #"{"id": "b", "text": "hello world"}"#])
        let wer = try PredictionScoring.score(PredictionFile(contentsOf: oneOff), benchmark: speech)
        #expect(wer[0].metrics[.wer] == 1.0 / 6, "WER \(wer[0].metrics[.wer] ?? .nan), expected 1/6")

        let vqa = try Self.file(dir, "vqa.jsonl", [
            #"{"id": "q1", "image": "q1.png", "prompt": "what is it?", "text": "a horse", "references": ["a horse", "pony"], "task": "vqa"}"#,
            #"{"id": "q2", "image": "q2.png", "prompt": "how many?", "text": "two", "task": "vqa"}"#,
        ])
        let all = try Self.file(dir, "vqa-all.jsonl", [#"{"id": "q1", "text": "Pony."}"#, #"{"id": "q2", "text": "two"}"#])
        #expect(try PredictionScoring.score(PredictionFile(contentsOf: all), benchmark: vqa)[0].metrics == [.accuracy: 1], "all answers right")
        let half = try Self.file(dir, "vqa-half.jsonl", [#"{"id": "q1", "text": "The horse"}"#, #"{"id": "q2", "text": "three"}"#])
        #expect(try PredictionScoring.score(PredictionFile(contentsOf: half), benchmark: vqa)[0].metrics == [.accuracy: 0.5], "one of two right")
    }

    @Test func missingAndExtraIdsAreListedById() throws {
        let dir = try TemporaryDirectory()
        let predictions = try Self.file(dir, "pred.jsonl", [
            #"{"id": "1", "text": "a man on a horse"}"#,
            #"{"id": 3, "text": "soup"}"#,
            #"{"id": "zz", "text": "nothing"}"#,
            #"{"id": "1", "text": "again"}"#,
            #"{"id": "4", "txt": "typo"}"#,
            "not json",
        ])
        let file = try PredictionFile(contentsOf: predictions)
        #expect(file.ids == ["1", "3", "zz"], "ids \(file.ids)")
        let name = predictions.relativePath
        #expect(file.problems.count == 3 && file.problems[0].hasPrefix("\(name):4:") && file.problems[1].hasPrefix("\(name):5:")
                && file.problems[2].hasPrefix("\(name):6:"), "problems should name lines 4, 5 and 6: \(file.problems)")
        let rows = try PredictionScoring.score(file, benchmark: Self.captionManifest(dir))
        #expect(rows[0].samples == 2, "scored \(rows[0].samples), expected 2 (ids 1 and 3)")
        #expect(rows[0].missingIds == ["2"], "missing \(rows[0].missingIds ?? [])")
        #expect(rows[0].extraIds == ["zz"], "extra \(rows[0].extraIds ?? [])")
        #expect(rows[0].problems == file.problems, "the file's problems go on the row: \(rows[0].problems)")
        let text = EvaluationReport(source: name, benchmarks: rows).text
        #expect(text.contains("1 sample with no prediction: 2") && text.contains("1 prediction for ids not in the benchmark: zz"),
                "the printed report should list the ids:\n\(text)")
    }

    @Test func nothingMatchingIsAnErrorNamingBothFiles() throws {
        let dir = try TemporaryDirectory()
        let predictions = try Self.file(dir, "pred.jsonl", [#"{"id": "x1", "text": "a"}"#, #"{"id": "x2", "text": "b"}"#])
        let benchmark = try Self.captionManifest(dir)
        #expect {
            try PredictionScoring.score(PredictionFile(contentsOf: predictions), benchmark: benchmark)
        } throws: { error in
            let message = "\(error)"
            return message.contains("pred.jsonl") && message.contains("caption.jsonl") && message.contains("x1") && !message.contains("\n")
        }
        let text = try Self.file(dir, "text.jsonl", [#"{"id": "x1", "text": "blue sky", "task": "text"}"#])
        #expect {
            try PredictionScoring.score(PredictionFile(contentsOf: predictions), benchmark: text)
        } throws: { error in "\(error)".contains("perplexity") }
        let empty = try Self.file(dir, "empty.jsonl", ["{}", "[1]"])
        #expect {
            try PredictionFile(contentsOf: empty)
        } throws: { error in "\(error)".contains("empty.jsonl") && "\(error)".contains("no usable predictions") }
    }

    @Test func scenedCaptionsGetObjectAccuracyAndOthersNoKey() throws {
        let dir = try TemporaryDirectory()
        let scened = try Self.file(dir, "scenes.jsonl", [
            #"{"id": "p1", "image": "1.png", "references": ["a dog on the left on a blue background"], "task": "caption", "scene": "left=dog|background=blue"}"#,
            #"{"id": "p2", "image": "2.png", "references": ["a cat at the top on a red background"], "task": "caption", "scene": "top=cat|background=red"}"#,
            #"{"id": "p3", "image": "3.png", "references": ["a cat on the left"], "task": "caption", "scene": "left=cat"}"#,
        ])
        let predictions = try Self.file(dir, "scenes-pred.jsonl", [
            #"{"id": "p1", "text": "a dog on the left and a cat"}"#, #"{"id": "p2", "text": "a cat at the top"}"#,
            #"{"id": "p3", "text": "a cat"}"#,
        ])
        let rows = try PredictionScoring.score(PredictionFile(contentsOf: predictions), benchmark: scened)
        // p1: dog right, cat extra; p2: cat right; p3 left out for its scene with no background.
        #expect(rows[0].samples == 2, "scored \(rows[0].samples), expected 2 (p3's scene is malformed)")
        #expect(rows[0].metrics[.objectAccuracy] == 2.0 / 3, "object accuracy \(rows[0].metrics[.objectAccuracy] ?? .nan), expected 2/3")
        #expect(rows[0].metrics[.placeAccuracy] == 1, "place accuracy \(rows[0].metrics[.placeAccuracy] ?? .nan), expected 1")
        let file = scened.relativePath
        #expect(rows[0].problems == ["\(file):3: sample p3: scene \"left=cat\": no background"], "problems \(rows[0].problems)")

        let plain = try Self.file(dir, "plain-pred.jsonl", Self.captions.map { #"{"id": "\#($0.id)", "text": "a dog"}"# })
        let unscened = try PredictionScoring.score(PredictionFile(contentsOf: plain), benchmark: Self.captionManifest(dir))
        let json = try EvaluationReport(source: "plain", benchmarks: unscened).json()
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        let metrics = try #require(((object?["benchmarks"] as? [[String: Any]])?.first?["metrics"]) as? [String: Double])
        #expect(metrics["cider_d"] != nil && metrics["object_accuracy"] == nil && metrics["place_accuracy"] == nil,
                "captions without scenes: metrics \(metrics.keys.sorted()), expected CIDEr-D and no object or place accuracy")
        let mixed = EvaluationReport(source: "both", benchmarks: rows + unscened).table
        let column = try #require(mixed.headers.firstIndex(of: "objects"), "no objects column in \(mixed.headers)")
        #expect(mixed.rows.map { $0[column] } == ["0.667", "–"], "objects cells \(mixed.rows.map { $0[column] })")
    }
}
