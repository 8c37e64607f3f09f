import Foundation
import Testing
@testable import Evaluation

@Suite struct WordErrorRateTests {
    @Test func substitutionAndDeletionCountAgainstReferenceWords() {
        // sat→sit, one "the" deleted: 2 edits over 6 reference words.
        let wer = WordErrorRate.corpus([("the cat sat on the mat", "the cat sit on mat")])
        #expect(abs(wer - 2.0 / 6) < 1e-12, "WER: got \(wer), expected \(2.0 / 6)")
    }

    @Test func corpusRateSumsEditsOverSummedReferenceLength() {
        // 1 substitution + 1 insertion over 3 + 2 reference words.
        let wer = WordErrorRate.corpus([("a b c", "a x c"), ("d e", "d e f")])
        #expect(abs(wer - 0.4) < 1e-12, "WER: got \(wer), expected 0.4")
    }

    @Test func emptyHypothesisDeletesEveryWord() {
        let wer = WordErrorRate.corpus([("one two three", "")])
        #expect(wer == 1, "WER: got \(wer), expected 1")
    }

    @Test func emptyReferencesScoreInsertionsAgainstOneWord() {
        let none = WordErrorRate.corpus([("", "")])
        #expect(none == 0, "WER of empty against empty: got \(none), expected 0")
        let inserted = WordErrorRate.corpus([("", "x y")])
        #expect(inserted == 2, "WER of two words against nothing: got \(inserted), expected 2")
        let noPairs = WordErrorRate.corpus([])
        #expect(noPairs == 0, "WER of no pairs: got \(noPairs), expected 0")
    }

    @Test func caseAndPunctuationAreIgnoredButApostrophesKept() {
        let same = WordErrorRate.corpus([("Hello, World!", "hello world")])
        #expect(same == 0, "WER: got \(same), expected 0")
        let apostrophe = WordErrorRate.corpus([("don't stop", "dont stop")])
        #expect(apostrophe == 0.5, "WER: got \(apostrophe), expected 0.5")
    }

    @Test func editDistanceOfKittenAndSittingIsThree() {
        let d = WordErrorRate.editDistance(Array("kitten"), Array("sitting"))
        #expect(d == 3, "edit distance: got \(d), expected 3")
    }
}

@Suite struct ExactMatchTests {
    @Test func normalisationDropsCasePunctuationAndArticles() {
        #expect(ExactMatch.normalize("The Eiffel  Tower.") == "eiffel tower", "got \(String(reflecting: ExactMatch.normalize("The Eiffel  Tower.")))")
        #expect(ExactMatch.normalize("U.S.") == "us", "got \(String(reflecting: ExactMatch.normalize("U.S.")))")
        #expect(ExactMatch.normalize("an apple, a pear") == "apple pear", "got \(String(reflecting: ExactMatch.normalize("an apple, a pear")))")
        #expect(ExactMatch.normalize("theatre") == "theatre", "articles are removed only as whole words")
    }

    @Test func accuracyCountsQuestionsMatchingAnyAnswer() {
        let pairs: [(prediction: String, answers: [String])] = [
            ("Paris", ["paris, france", "PARIS"]),  // matches the second answer
            ("london", ["Berlin"]),                  // wrong
            ("", [""]),                              // empty matches empty
            ("", ["x"]),                             // empty prediction misses
            ("x", []),                               // no accepted answer: missed
        ]
        let accuracy = ExactMatch.accuracy(pairs)
        #expect(abs(accuracy - 0.4) < 1e-12, "accuracy: got \(accuracy), expected 0.4")
        #expect(ExactMatch.accuracy([]) == 0, "accuracy of no questions: got \(ExactMatch.accuracy([])), expected 0")
    }
}

@Suite struct PerplexityTests {
    @Test func perplexityIsExpOfMeanNLL() throws {
        let certain = try Perplexity.from(summedNLL: 0, tokenCount: 5)
        #expect(certain == 1, "perplexity: got \(certain), expected 1")
        let tenWay = try Perplexity.from(summedNLL: 4 * log(10.0), tokenCount: 4)
        #expect(abs(tenWay - 10) < 1e-12, "perplexity: got \(tenWay), expected 10")
        let e2 = try Perplexity.from(summedNLL: 6, tokenCount: 3)
        #expect(abs(e2 - 7.38905609893065) < 1e-12, "perplexity: got \(e2), expected e² = 7.38905609893065")
    }

    @Test func noTokensOrBadLikelihoodThrowsAClearError() {
        #expect(throws: Perplexity.InvalidInput.self) { try Perplexity.from(summedNLL: 1, tokenCount: 0) }
        #expect(throws: Perplexity.InvalidInput.self) { try Perplexity.from(summedNLL: .nan, tokenCount: 3) }
        #expect(throws: Perplexity.InvalidInput.self) { try Perplexity.from(summedNLL: -1, tokenCount: 3) }
        do {
            _ = try Perplexity.from(summedNLL: 1, tokenCount: 0)
        } catch {
            #expect("\(error)" == "perplexity: token count is 0, need at least one predicted token", "message: \(error)")
        }
    }
}
