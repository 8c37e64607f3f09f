import Foundation
import Inference
import Inputs
import Kernels
import Model
import Testing
import TestSupport

@Suite struct GeneratorTests {
    typealias Tiny = TrainedTinyModel

    @Test(arguments: TrainedTinyModel.Training.allCases)
    func cachedGreedyDecodingMatchesFullRecomputation(trained: TrainedTinyModel.Training) throws {
        let model = Tiny.model(trained)
        let out = try Generator(model: model).generate(Tiny.prompts, options: GenerationOptions(maxTokens: 12))
        for (e, (ex, g)) in zip(Tiny.prompts, out).enumerated() {
            let reference = Recompute.greedy(model, ex, maxTokens: 12)
            #expect(g.produced == reference, "\(trained) trained, example \(e): cached \(g.produced), recomputed \(reference)")
            #expect(g.tokens.count >= 8, "\(trained) trained, example \(e): only \(g.tokens.count) tokens before <|eos|>, the check needs 8")
            #expect(Set(g.tokens).count > 1, "\(trained) trained, example \(e): degenerate answer \(g.tokens)")
            let logP = Recompute.logProbability(model, ex, g.produced)
            let r = closeness([Float(g.logProbability)], [Float(logP)], rtol: 1e-4, atol: 1e-4, "\(trained) trained, example \(e) log P")
            #expect(r.ok, "\(r.message)")
        }
        #expect(Set(out.map(\.tokens)).count == out.count, "\(trained) trained: examples share an answer: \(out.map(\.tokens))")
    }

    @Test(arguments: [0.0, 1.0])
    func beamWidthOneEqualsGreedy(lengthPenalty: Double) throws {
        let generator = Generator(model: Tiny.model(.partly))
        let greedy = try generator.generate(Tiny.prompts, options: GenerationOptions(maxTokens: 16, lengthPenalty: lengthPenalty))
        let beam = try generator.generate(Tiny.prompts, options: GenerationOptions(maxTokens: 16, search: .beam(width: 1),
                                                                                   lengthPenalty: lengthPenalty))
        for (e, (g, b)) in zip(greedy, beam).enumerated() {
            #expect(b.produced == g.produced, "α \(lengthPenalty), example \(e): beam width 1 \(b.produced), greedy \(g.produced)")
            #expect(abs(b.score - g.score) <= 1e-9, "α \(lengthPenalty), example \(e): scores \(b.score) and \(g.score)")
        }
    }

    @Test(arguments: [0.0, 1.0])
    func beamSearchScoresAtLeastGreedyAndItsScoresAreTrue(lengthPenalty: Double) throws {
        let model = Tiny.model(.partly)
        let generator = Generator(model: model)
        let options = GenerationOptions(maxTokens: 16, lengthPenalty: lengthPenalty)
        let greedy = try generator.generate(Tiny.prompts, options: options)
        var beamOptions = options
        beamOptions.search = .beam(width: 4)
        let beam = try generator.generate(Tiny.prompts, options: beamOptions)
        var gains: [Double] = []
        for (e, (g, b)) in zip(greedy, beam).enumerated() {
            // Batch composition changes GEMM rounding, so equal answers may differ in the last bits.
            #expect(b.score >= g.score - 1e-5 * abs(g.score), "α \(lengthPenalty), example \(e): beam \(b.score) below greedy \(g.score)")
            gains.append(b.score - g.score)
            // The score beam search reports is the answer's log-probability under a cache-free forward,
            // which checks the cache copies made when beams were reselected.
            let logP = Recompute.logProbability(model, Tiny.prompts[e], b.produced)
            let r = closeness([Float(b.logProbability)], [Float(logP)], rtol: 1e-4, atol: 1e-4, "α \(lengthPenalty), example \(e) beam log P")
            #expect(r.ok, "\(r.message)")
            #expect(b.score == options.score(logProbability: b.logProbability, count: b.tokenCount),
                    "α \(lengthPenalty), example \(e): score \(b.score) is not log P \(b.logProbability) normalised over \(b.tokenCount) tokens")
        }
        #expect(gains.contains { $0 > 0.05 }, "α \(lengthPenalty): beam search never beat greedy clearly; gains \(gains)")
    }

    @Test func generationStopsAtEOSAndAtMaxTokens() throws {
        let model = Tiny.model(.well)
        let generator = Generator(model: model)
        let eos = Tiny.config.eosTokenId
        for search in [Search.greedy, .beam(width: 3)] {
            let out = try generator.generate(Tiny.prompts, options: GenerationOptions(maxTokens: 20, search: search))
            for (e, g) in out.enumerated() {
                #expect(g.endedWithEOS && g.tokenCount == g.tokens.count + 1 && g.tokenCount < 20,
                        "\(search), example \(e): ended with eos \(g.endedWithEOS) after \(g.tokenCount) of 20 tokens")
                #expect(!g.tokens.contains(eos), "\(search), example \(e): <|eos|> inside the answer \(g.tokens)")
            }
            // Cut one token short of <|eos|>, the same answers stop at maxTokens instead.
            let shortest = out.map(\.tokens.count).min()!
            let cut = try generator.generate(Tiny.prompts, options: GenerationOptions(maxTokens: shortest, search: search))
            for (e, (g, c)) in zip(out, cut).enumerated() {
                #expect(!c.endedWithEOS && c.tokens == Array(g.tokens.prefix(shortest)) && c.tokenCount == shortest,
                        "\(search), example \(e), maxTokens \(shortest): \(c.tokens) (eos \(c.endedWithEOS)), uncut \(g.tokens)")
            }
        }
    }

    @Test(arguments: [Search.greedy, .beam(width: 3)])
    func batchingExamplesGivesTheTokensOfEachAlone(search: Search) throws {
        let generator = Generator(model: Tiny.model(.partly))
        let options = GenerationOptions(maxTokens: 14, search: search)
        let batched = try generator.generate(Tiny.prompts, options: options)
        for (e, ex) in Tiny.prompts.enumerated() {
            let alone = try generator.generate([ex], options: options)[0]
            #expect(batched[e].produced == alone.produced, "\(search), example \(e): batched \(batched[e].produced), alone \(alone.produced)")
        }
    }

    @Test func skipRatioCountsEveryForwardOfTheBatch() throws {
        let model = Tiny.model(.well)
        let generator = Generator(model: model)
        let options = GenerationOptions(maxTokens: 12)
        #expect(try generator.generate(Tiny.prompts, options: options).allSatisfy { $0.skip == nil },
                "a model without skip rules reported a skip count")

        for layer in model.moeLayers { layer.skip = SkipRule(alpha: [1, 1, 1], tau: [0.3, 0.3, 0.3]) }
        let out = try generator.generate(Tiny.prompts, options: options)
        let skip = try #require(out[0].skip)
        // Every position (prompt streams, then each fed token: all produced but the last) routes
        // top-2 in the one group serving its modality, in the one MoE layer.
        let streams = Batch(Tiny.prompts, config: Tiny.config, forGeneration: true).count
        let fed = out.reduce(0) { $0 + $1.tokenCount - 1 }
        #expect(skip.selected.reduce(0, +) == 2 * (streams + fed),
                "selected pairs \(skip.selected), expected 2 × (\(streams) prompt + \(fed) fed positions)")
        #expect(skip.selected[Modality.image.rawValue] == 2 * 2 * Tiny.config.image!.tokens,
                "image pairs \(skip.selected[Modality.image.rawValue]) for two images")
        let ratio = try #require(out[0].skipRatio)
        #expect(ratio > 0 && ratio < 1, "skip ratio \(ratio) with τ 0.3 should be strictly between 0 and 1")
        #expect(out.allSatisfy { $0.skip == skip }, "batch-mates report different skip counts")
    }

    /// The MoE layers' time of a call splits into its prefill and its decoding steps, each part
    /// inside the phase's own wall time.
    @Test func moeTimeSplitsIntoPrefillAndDecoding() throws {
        let model = Tiny.model(.well).replica()   // its own layers, so no other test adds to their clocks
        for layer in model.moeLayers { layer.resetUsage() }
        let out = try Generator(model: model).generate(Tiny.prompts, options: GenerationOptions(maxTokens: 12))
        let g = out[0], total = model.moeLayers.reduce(0) { $0 + $1.usage.seconds }
        #expect(abs(g.prefillMoESeconds + g.decodeMoESeconds - total) < 1e-9,
                "prefill \(g.prefillMoESeconds) s + decoding \(g.decodeMoESeconds) s of MoE time, the layers counted \(total) s")
        #expect(g.prefillMoESeconds > 0 && g.prefillMoESeconds <= g.prefillSeconds,
                "MoE time in prefill \(g.prefillMoESeconds) s, prefill \(g.prefillSeconds) s")
        #expect(g.decodeMoESeconds > 0 && g.decodeMoESeconds <= g.decodeSeconds,
                "MoE time in decoding \(g.decodeMoESeconds) s, decoding \(g.decodeSeconds) s")
    }

    /// `bench skip`'s work bound counts shared rows: every position the layer saw, once per
    /// shared expert, skip rules or not.
    @Test func sharedRowsCountEveryPositionOncePerSharedExpert() throws {
        let model = Tiny.model(.well).replica()
        for layer in model.moeLayers {
            layer.skip = SkipRule(alpha: [1, 1, 1], tau: [0.3, 0.3, 0.3])
            layer.resetUsage()
        }
        let out = try Generator(model: model).generate(Tiny.prompts, options: GenerationOptions(maxTokens: 12))
        let positions = Batch(Tiny.prompts, config: Tiny.config, forGeneration: true).count + out.reduce(0) { $0 + $1.tokenCount - 1 }
        for (l, layer) in model.moeLayers.enumerated() {
            #expect(layer.usage.sharedRows == positions * layer.shared.count,
                    "layer \(l): \(layer.usage.sharedRows) shared rows, expected \(positions) positions × \(layer.shared.count) shared experts")
            #expect(layer.usage.computedRows < layer.usage.routedRows,
                    "layer \(l): τ 0.3 left \(layer.usage.computedRows) of \(layer.usage.routedRows) routed rows")
        }
    }

    @Test func answersStopAtTheContextSizeInsteadOfFailing() throws {
        // An untrained model never says <|eos|>, so every answer runs until its example's room
        // (max_positions − prompt positions + 1, as the last token is never fed) is used up.
        let generator = Generator(model: MultimodalMoE(Tiny.config))
        let unbounded = try generator.generate(Tiny.prompts, options: GenerationOptions(maxTokens: 1000))
        for (e, example) in Tiny.prompts.enumerated() {
            let room = Tiny.config.maxPositions - (try example.promptPositions(in: Tiny.config, name: "example \(e)")) + 1
            let exact = try generator.generate([example], options: GenerationOptions(maxTokens: room))[0]
            #expect(unbounded[e].tokenCount == room && !unbounded[e].endedWithEOS,
                    "example \(e): \(unbounded[e].tokenCount) tokens (eos \(unbounded[e].endedWithEOS)), room for \(room)")
            #expect(unbounded[e].tokens == exact.tokens, "example \(e): maxTokens 1000 gave \(unbounded[e].tokens), maxTokens \(room) gave \(exact.tokens)")
        }
    }

    @Test func badRequestsThrowOneLineErrors() {
        let generator = Generator(model: MultimodalMoE(Tiny.config))
        let prompts = Tiny.prompts
        func message(_ options: GenerationOptions, _ examples: [Example] = Tiny.prompts) -> String {
            do { _ = try generator.generate(examples, options: options); return "no error" } catch { return "\(error)" }
        }
        #expect(message(GenerationOptions(maxTokens: 0)) == "maxTokens must be at least 1, got 0")
        #expect(message(GenerationOptions(search: .beam(width: 0))) == "beam width must be at least 1, got 0")
        var long = prompts  // example 0: <|bos|>, 4 image tokens and the prompt
        long[0].prompt = Array(repeating: 4, count: Tiny.config.maxPositions)
        #expect(message(GenerationOptions(), long) == "example 0: 69 prompt positions leave no room for an answer within max_positions 64")
        var wrong = prompts
        wrong[1].audio = Tensor(zeros: [80, 3])
        #expect(message(GenerationOptions(), wrong) == "example 1 audio: expected shape [80, 16], got [80, 3]")
        wrong = prompts
        wrong[3].prompt = [4, 99]
        #expect(message(GenerationOptions(), wrong) == "example 3: prompt token id 99 is outside the vocabulary of 23")
    }
}
