import Foundation
import Testing
import TestSupport
@testable import Evaluation

/// `Tests/Fixtures/caption_metrics.json`: 40 items scored by pycocoevalcap 1.2, with the
/// captions as its PTB tokenizer left them.
struct CaptionFixture {
    let ids: [String]
    let candidates: [String], references: [[String]]
    let tokenizedCandidates: [String], tokenizedReferences: [[String]]
    let corpus: [String: Double]
    let perItem: [String: [Double]]

    static let shared: CaptionFixture = {
        let data = try! Data(contentsOf: Fixtures.url("caption_metrics.json"))
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        let candidates = json["candidates"] as! [String: String]
        let references = json["references"] as! [String: [String]]
        let tokenizedCandidates = json["tokenized_candidates"] as! [String: String]
        let tokenizedReferences = json["tokenized_references"] as! [String: [String]]
        let ids = candidates.keys.sorted { Int($0)! < Int($1)! }
        return CaptionFixture(
            ids: ids, candidates: ids.map { candidates[$0]! }, references: ids.map { references[$0]! },
            tokenizedCandidates: ids.map { tokenizedCandidates[$0]! }, tokenizedReferences: ids.map { tokenizedReferences[$0]! },
            corpus: json["corpus_scores"] as! [String: Double], perItem: json["per_item"] as! [String: [Double]])
    }()
}

/// Compares one metric value, recording a failure that names the item, the metric, both
/// values and the gap; returns the absolute difference for the suite's summary.
@discardableResult
func expectClose(_ got: Double, _ expected: Double, tolerance: Double = 1e-6, item: String, metric: String) -> Double {
    let diff = abs(got - expected)
    #expect(diff <= tolerance, "item \(item) \(metric): got \(got), expected \(expected) (|diff| \(diff))")
    return diff
}

@Suite struct CaptionMetricsTests {
    let fixture = CaptionFixture.shared

    @Test func fixtureCaptionsTokeniseAsPycocoevalcapDid() {
        let candidates = PTBTokenizer.tokenize(fixture.candidates)
        let references = PTBTokenizer.tokenize(fixture.references.flatMap { $0 })
        for (k, id) in fixture.ids.enumerated() {
            #expect(candidates[k] == fixture.tokenizedCandidates[k], "item \(id) candidate: got \(String(reflecting: candidates[k])), expected \(String(reflecting: fixture.tokenizedCandidates[k]))")
        }
        for (got, expected) in zip(references, fixture.tokenizedReferences.flatMap { $0 }) {
            #expect(got == expected, "reference: got \(String(reflecting: got)), expected \(String(reflecting: expected))")
        }
        #expect(references.count == fixture.tokenizedReferences.flatMap { $0 }.count)
    }

    @Test func corpusScoresMatchPycocoevalcap() throws {
        let scores = try CaptionMetrics.score(fixture.ids.indices.map { (fixture.ids[$0], fixture.candidates[$0], fixture.references[$0]) })
        var worst = 0.0
        for n in 1...4 { worst = max(worst, expectClose(scores.bleu[n - 1], fixture.corpus["BLEU-\(n)"]!, item: "corpus", metric: "BLEU-\(n)")) }
        worst = max(worst, expectClose(scores.rougeL, fixture.corpus["ROUGE-L"]!, item: "corpus", metric: "ROUGE-L"))
        worst = max(worst, expectClose(scores.ciderD, fixture.corpus["CIDEr-D"]!, item: "corpus", metric: "CIDEr-D"))
        print("caption corpus scores: max |diff| vs pycocoevalcap \(worst)")
    }

    @Test func perItemScoresMatchPycocoevalcap() throws {
        let scores = try CaptionMetrics.score(
            candidates: Dictionary(uniqueKeysWithValues: zip(fixture.ids, fixture.candidates)),
            references: Dictionary(uniqueKeysWithValues: zip(fixture.ids, fixture.references)))
        #expect(scores.items.map(\.id) == fixture.ids)
        var worst: [String: Double] = [:]
        for (k, item) in scores.items.enumerated() {
            worst["BLEU-4", default: 0] = max(worst["BLEU-4"] ?? 0, expectClose(item.bleu[3], fixture.perItem["BLEU-4"]![k], item: item.id, metric: "BLEU-4"))
            worst["ROUGE-L", default: 0] = max(worst["ROUGE-L"] ?? 0, expectClose(item.rougeL, fixture.perItem["ROUGE-L"]![k], item: item.id, metric: "ROUGE-L"))
            worst["CIDEr-D", default: 0] = max(worst["CIDEr-D"] ?? 0, expectClose(item.ciderD, fixture.perItem["CIDEr-D"]![k], item: item.id, metric: "CIDEr-D"))
        }
        print("caption per-item scores: max |diff| vs pycocoevalcap \(worst.sorted { $0.key < $1.key })")
    }

    @Test func pretokenisedCaptionsScoreTheSame() throws {
        let items = fixture.ids.indices.map { (fixture.ids[$0], fixture.tokenizedCandidates[$0], fixture.tokenizedReferences[$0]) }
        let scores = try CaptionMetrics.score(items, tokenize: false)
        expectClose(scores.ciderD, fixture.corpus["CIDEr-D"]!, item: "corpus", metric: "CIDEr-D (pre-tokenised)")
        expectClose(scores.bleu[3], fixture.corpus["BLEU-4"]!, item: "corpus", metric: "BLEU-4 (pre-tokenised)")
    }

    @Test func reportsNoMeteor() {
        let labels = Mirror(reflecting: CaptionScores(bleu: [], rougeL: 0, ciderD: 0, items: [])).children.compactMap(\.label)
        #expect(labels == ["bleu", "rougeL", "ciderD", "items"], "CaptionScores fields: \(labels)")
    }

    @Test func badItemsAreRejectedByName() {
        #expect(throws: CaptionMetricsError.noReferences(id: "7")) {
            try CaptionMetrics.score([("7", "a dog", [])])
        }
        #expect(throws: CaptionMetricsError.missingReferences(id: "b")) {
            try CaptionMetrics.score(candidates: ["b": "a cat"], references: [:])
        }
        #expect(throws: CaptionMetricsError.missingCandidate(id: "c")) {
            try CaptionMetrics.score(candidates: [:], references: ["c": ["a cat"]])
        }
        #expect(CaptionMetricsError.noReferences(id: "7").description == "caption item 7: the reference list is empty")
    }

    @Test func emptyCandidateScoresZeroNotNaN() throws {
        let scores = try CaptionMetrics.score([("0", "", ["a dog on a mat"]), ("1", "a cat", ["a cat on a mat", "the cat"])])
        let empty = scores.items[0]
        #expect(empty.ciderD == 0, "item 0 CIDEr-D: got \(empty.ciderD), expected 0")
        #expect(empty.rougeL == 0, "item 0 ROUGE-L: got \(empty.rougeL), expected 0")
        // Precision (0 + 1e-15) / (0 + 1e-9), times the brevity penalty exp(1 - 5 / 1e-15) = 0.
        #expect(empty.bleu == [0, 0, 0, 0], "item 0 BLEU-1...4: got \(empty.bleu), expected all 0")
        #expect(!scores.ciderD.isNaN && !scores.rougeL.isNaN && !scores.bleu.contains { $0.isNaN }, "corpus scores contain NaN: \(scores)")
    }

    @Test func singleItemCorpusHasZeroCiderInsteadOfNaN() throws {
        // With one item every idf is log(1) - log(1) = 0, so every vector is zero.
        let scores = try CaptionMetrics.score([("0", "a dog", ["a dog"])])
        #expect(scores.ciderD == 0, "CIDEr-D: got \(scores.ciderD), expected 0")
        expectClose(scores.bleu[0], 1, item: "0", metric: "BLEU-1")
        expectClose(scores.rougeL, 1, item: "0", metric: "ROUGE-L")
    }
}

@Suite struct CaptionMetricsCrossCheck {
    /// Fixture captions recombined so that items miss, repeat and over-match n-grams, with
    /// one-word and much longer candidates, so per-item BLEU-1...3 get checked too.
    @Test(.enabled(if: Pycocoevalcap.available, "needs python3 with pycocoevalcap"))
    func recombinedCaptionsScoreAsPycocoevalcapDoes() throws {
        let f = CaptionFixture.shared
        let n = f.ids.count
        var candidates = (0..<n).map { f.tokenizedCandidates[($0 * 7) % n] }
        var references = (0..<n).map { f.tokenizedReferences[($0 * 3) % n] }
        candidates[0] = "background"
        candidates[1] = Array(repeating: f.tokenizedCandidates[1], count: 3).joined(separator: " ")
        candidates[2] = f.tokenizedReferences[2][0]
        references[3] = references[3] + [f.tokenizedCandidates[3]]
        let expected = try Pycocoevalcap.scores(candidates: candidates, references: references)
        let items = (0..<n).map { (String($0), candidates[$0], references[$0]) }
        let got = try CaptionMetrics.score(items, tokenize: false)
        for k in 0..<4 { expectClose(got.bleu[k], expected.bleu[k], item: "corpus", metric: "BLEU-\(k + 1)") }
        expectClose(got.rougeL, expected.rouge, item: "corpus", metric: "ROUGE-L")
        expectClose(got.ciderD, expected.cider, item: "corpus", metric: "CIDEr-D")
        for (i, item) in got.items.enumerated() {
            for k in 0..<4 { expectClose(item.bleu[k], expected.bleuItems[k][i], item: item.id, metric: "BLEU-\(k + 1)") }
            expectClose(item.rougeL, expected.rougeItems[i], item: item.id, metric: "ROUGE-L")
            expectClose(item.ciderD, expected.ciderItems[i], item: item.id, metric: "CIDEr-D")
        }
    }
}
