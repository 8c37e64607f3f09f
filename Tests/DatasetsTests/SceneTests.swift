import Datasets
import Foundation
import Inputs
import Kernels
import Testing

/// The emoji artwork committed in the repository.
let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("data/assets/emoji")

@Suite struct SceneTests {
    @Test func trainAndValNeverShowAnObjectAtItsReservedPlaceAndTestAlwaysDoes() {
        let sampler = SceneSampler(objectCount: 20, seed: 3)
        let perPlace = Dictionary(grouping: sampler.reserved, by: { $0 }).mapValues(\.count)
        #expect(Place.allCases.allSatisfy { perPlace[$0] == 4 }, "20 objects over 5 places should be 4 each: \(perPlace)")
        for split in [Split.train, .val] {
            var rng = SplitMix(seed: 1)
            for n in 0..<2000 {
                let scene = sampler.scene(for: split, rng: &rng)
                let unseen = scene.placements.filter { !sampler.isSeen($0.object, at: $0.place) }
                #expect(unseen.isEmpty, "\(split) scene \(n) shows reserved pairs \(unseen)")
                if !unseen.isEmpty { return }
            }
        }
        var rng = SplitMix(seed: 2)
        var sizes = [0, 0, 0, 0]
        for n in 0..<1000 {
            let scene = sampler.scene(for: .test, rng: &rng)
            sizes[scene.placements.count] += 1
            #expect(scene.placements.contains { !sampler.isSeen($0.object, at: $0.place) },
                    "test scene \(n) holds no reserved pair: \(scene.placements)")
            #expect(Set(scene.placements.map(\.object)).count == scene.placements.count
                    && Set(scene.placements.map(\.place)).count == scene.placements.count,
                    "test scene \(n) repeats an object or a place: \(scene.placements)")
        }
        #expect(sizes[1] > 200 && sizes[2] > 300 && sizes[3] > 200, "1/2/3-object scenes: \(sizes[1...])")
    }

    @Test func captionsAreShortParaphrasesNamingObjectsPlacesAndBackground() {
        let blue = Palette.backgrounds.first { $0.name == "blue" }!
        let names = ["dog", "pizza", "grapes", "apple"]
        let two = Scene(background: blue, placements: [Placement(object: 1, place: .right), Placement(object: 0, place: .left)])
        let refs = Captioning.references(for: two, names: names)
        #expect(refs == [
            "a dog on the left and a pizza on the right on a blue background",
            "a blue background with a pizza on the right and a dog on the left",
            "there is a dog on the left and a pizza on the right, the background is blue",
            "a dog and a pizza on blue, the dog is on the left and the pizza is on the right",
            "the pizza is on the right and the dog is on the left on a blue background",
        ], "got \(refs)")
        let one = Scene(background: blue, placements: [Placement(object: 2, place: .top)])
        #expect(Captioning.references(for: one, names: names) == [
            "some grapes at the top on a blue background",
            "there are some grapes at the top, the background is blue",
            "the grapes are at the top on a blue background",
        ], "got \(Captioning.references(for: one, names: names))")
        #expect(Captioning.article(for: "apple") == "an" && Captioning.article(for: "unicorn") == "a"
                && Captioning.article(for: "spaghetti") == "some" && Captioning.article(for: "bus") == "a")
    }

    @Test func vocabularyIsConcreteDistinctAndSpreadOverCategories() throws {
        let catalog = try EmojiCatalog(directory: assets)
        #expect(catalog.all.count == 1375, "emoji.tsv lists \(catalog.all.count) emoji")
        let concrete = catalog.concreteObjects
        #expect(concrete.count > 350, "only \(concrete.count) concrete objects")
        #expect(Set(concrete.map(\.name)).count == concrete.count, "concrete names repeat")
        let people = concrete.filter { $0.name.contains("face") || $0.name.contains("person") || $0.name.contains("button") }
        #expect(people.isEmpty, "not objects: \(people.map(\.name))")
        let tiny = catalog.subset(count: 100)
        #expect(tiny.count == 100 && Set(tiny).count == 100, "subset has \(tiny.count) objects, \(Set(tiny).count) distinct")
        let perCategory = Dictionary(grouping: tiny, by: { $0.category! }).mapValues(\.count)
        #expect(ObjectCategory.allCases.allSatisfy { (perCategory[$0] ?? 0) >= 8 }, "per category: \(perCategory)")
        #expect(tiny.allSatisfy { $0.name.split(separator: " ").count <= 2 }, "long names in the subset")
        #expect(catalog.subset(count: 100) == tiny, "the subset depends only on the catalog")
        #expect(tiny.contains { $0.name == "dog" } || tiny.contains { $0.category == .animal })
        #expect(EmojiCatalog.simplify("fork and knife with plate") == "fork and knife"
                && EmojiCatalog.simplify("oncoming bus") == "bus" && EmojiCatalog.simplify("woman\u{2019}s hat") == "woman's hat")
    }

    @Test func renderedSceneShowsObjectsOverTheBackground() throws {
        let catalog = try EmojiCatalog(directory: assets)
        let dog = try #require(catalog.all.first { $0.codepoint == "1f415" })
        let compositor = try Compositor(catalog: catalog, objects: [dog], side: 64)
        let green = Palette.backgrounds.first { $0.name == "green" }!
        var rng = SplitMix(seed: 5)
        let image = compositor.render(Scene(background: green, placements: [Placement(object: 0, place: .left)]), rng: &rng)
        #expect(image.width == 64 && image.height == 64 && image.layout == .rgb)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(image.bytes[(y * 64 + x) * 3..<(y * 64 + x) * 3 + 3]) }
        let bg = [green.rgb.0, green.rgb.1, green.rgb.2]
        #expect(pixel(63, 0) == bg && pixel(60, 60) == bg, "far corners \(pixel(63, 0)), \(pixel(60, 60)) should be \(bg)")
        // The dog covers the left third, not the right: count non-background pixels per side.
        var left = 0, right = 0
        for y in 0..<64 { for x in 0..<64 where pixel(x, y) != bg { if x < 32 { left += 1 } else { right += 1 } } }
        #expect(left > 300 && right < 60, "object pixels: \(left) on the left half, \(right) on the right half")
    }

    @Test func questionsAreAnsweredFromTheScene() {
        let names = ["dog", "pizza", "cat", "grapes", "bus", "kite"]
        let red = Palette.backgrounds.first { $0.name == "red" }!
        let scene = Scene(background: red, placements: [Placement(object: 0, place: .left), Placement(object: 3, place: .middle)])
        var rng = SplitMix(seed: 9)
        var kinds: Set<Question.Kind> = []
        for _ in 0..<200 {
            let q = Question.draw(for: scene, names: names, objectCount: names.count, rng: &rng)
            kinds.insert(q.kind)
            let expected: String
            switch q.kind {
            case .background: expected = "red"
            case .count: expected = "two"
            case .whatIsAt:
                expected = q.text == "what is on the left" ? "dog" : (q.text == "what is in the middle" ? "grapes" : "nothing")
            case .whereIs: expected = q.text == "where is the dog" ? "on the left" : "in the middle"
            case .isThere: expected = (q.text == "is there a dog" || q.text == "are there grapes") ? "yes" : "no"
            }
            #expect(q.answer == expected, "\(q.text) → \(q.answer), expected \(expected)")
        }
        #expect(kinds.count == Question.Kind.allCases.count, "drew only \(kinds)")
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Data(String(repeating: "a", count: 1000).utf8)
        #expect(SHA256.hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
