import Foundation
import Inputs
import Testing
import TestSupport

/// Training here, without Python: the merge order on a corpus small enough to work by hand,
/// the vocabulary layout, determinism, and refusal of impossible settings.
@Suite struct TokenizerTrainingTests {
    @Test func handWorkedCorpusGivesTheExpectedMerges() throws {
        // "ab ab ab cd" splits into "ab", " ab", " ab", " cd". Pair counts: (a,b) 3, (Ġ,a) 2,
        // (Ġ,c) 1, (c,d) 1. After a+b: (Ġ,ab) 2 wins. Then (c,d) and (Ġ,c) tie at 1 and "c"
        // has the smaller id (Ġ is U+0120, after all of Latin-1), so c+d, then Ġ+cd.
        var trainer = try BPETrainer(vocabSize: 5 + 256 + 10)
        trainer.add("ab ab ab cd")
        let tokenizer = trainer.train()
        let merges = tokenizer.merges.map { "\($0.0) \($0.1)" }
        #expect(merges == ["a b", "Ġ ab", "c d", "Ġ cd"], "merges \(merges)")
        #expect(tokenizer.vocabSize == 5 + 256 + 4, "vocabSize \(tokenizer.vocabSize): training should stop when no pair is left")
        let ids = tokenizer.encode("ab cd")
        let expected = [tokenizer.id(of: "ab"), tokenizer.id(of: "Ġcd")].compactMap { $0 }
        #expect(ids == expected && ids == [261, 264], "'ab cd' encodes as \(ids), expected [261, 264] (ab, Ġcd)")
    }

    @Test func vocabularyIsSpecialTokensThenBytesThenMerges() throws {
        var corpus = TokenizerCorpus(seed: 11)
        var trainer = try BPETrainer(vocabSize: 500)
        trainer.add(contentsOf: corpus.captions(300) + corpus.awkwardStrings(300))
        let tokenizer = trainer.train()
        #expect(tokenizer.vocabSize == 500, "vocabSize \(tokenizer.vocabSize), expected 500")
        for (id, special) in SpecialToken.allCases.enumerated() {
            let added = tokenizer.addedTokens.first { $0.content == special.rawValue }
            #expect(added?.id == id && added?.special == true, "\(special.rawValue): added token \(String(describing: added)), expected id \(id), special")
        }
        let bytes = (5..<261).map { tokenizer.token(of: $0)!.unicodeScalars.first!.value }
        #expect(bytes == bytes.sorted() && Set(bytes).count == 256, "ids 5..<261 are not the 256 byte characters in code point order")
        // Every token after the bytes is made by a merge (a merge may also remake an existing one).
        let made = Set(tokenizer.merges.compactMap { tokenizer.id(of: $0.0 + $0.1) })
        let learned = Set(261..<500)
        #expect(learned.isSubset(of: made) && made.isSubset(of: learned), "ids made by merges \(made.count), learned ids \(learned.count), \(learned.subtracting(made).count) without a merge")
    }

    @Test func trainingIgnoresTextOrderAndRepeatsExactly() throws {
        var corpus = TokenizerCorpus(seed: 12)
        let texts = corpus.captions(300) + corpus.awkwardStrings(50)
        var forward = try BPETrainer(vocabSize: 600)
        forward.add(contentsOf: texts)
        var backward = try BPETrainer(vocabSize: 600)
        backward.add(contentsOf: texts.reversed())
        let a = forward.train().jsonBytes(), b = forward.train().jsonBytes(), c = backward.train().jsonBytes()
        #expect(a == b, "two trainings of one trainer differ")
        #expect(a == c, "training on the reversed texts gives a different file")
    }

    @Test func trainedTokenizerRoundTripsTextAndFile() throws {
        var corpus = TokenizerCorpus(seed: 13)
        var trainer = try BPETrainer(vocabSize: 450)
        trainer.add(contentsOf: corpus.captions(200))
        let tokenizer = trainer.train()
        let scratch = try TemporaryDirectory()
        let url = scratch.url.appendingPathComponent("tokenizer.json")
        try tokenizer.save(to: url)
        let reloaded = try BPETokenizer(contentsOf: url)
        #expect(reloaded.jsonBytes() == tokenizer.jsonBytes(), "saved and reloaded file differs")
        for text in corpus.awkwardStrings(100) {
            let ids = tokenizer.encode(text)
            #expect(reloaded.encode(text) == ids, "reloaded tokenizer encodes \(text.debugDescription) differently")
            let decoded = try tokenizer.decode(ids, skipSpecialTokens: false)
            #expect(decoded.unicodeScalars.elementsEqual(text.unicodeScalars), "\(text.debugDescription) decodes as \(decoded.debugDescription)")
        }
    }

    @Test func impossibleSettingsAreRefused() {
        #expect(throws: TokenizerError("vocabulary size 200 is below 261 (5 special tokens + 256 bytes)")) {
            try BPETrainer(vocabSize: 200)
        }
        #expect(throws: TokenizerError("special tokens [\"<a>\", \"<a>\"] list one twice")) {
            try BPETrainer(vocabSize: 300, specialTokens: ["<a>", "<a>"])
        }
    }
}
