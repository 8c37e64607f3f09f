import Evaluation
import Foundation
import Testing
import TestSupport

@Suite struct ObjectAccuracyTests {
    static func scene(_ text: String, id: String = "s") throws -> SceneLayout { try SceneLayout(parsing: text, id: id) }

    /// Object and place accuracy of `captions` against their scene strings.
    static func score(_ cases: [(caption: String, scene: String)]) throws -> ObjectAccuracy.Scores {
        try #require(ObjectAccuracy.score(try cases.map { (prediction: $0.caption, scene: try scene($0.scene)) }))
    }

    static func expectScores(_ got: ObjectAccuracy.Scores, objects: Double, places: Double? = nil, _ what: String) {
        #expect(abs(got.objects - objects) < 1e-12, "\(what): object accuracy \(got.objects), expected \(objects) (off by \(got.objects - objects))")
        if let places {
            #expect(abs(got.places - places) < 1e-12, "\(what): place accuracy \(got.places), expected \(places) (off by \(got.places - places))")
        }
    }

    @Test func sceneStringsParseIntoPlacedObjectsAndBackground() throws {
        let layout = try Self.scene("middle=spaghetti|top=hatching chick|background=white")
        #expect(layout.objects == [.init(place: "middle", name: "spaghetti"), .init(place: "top", name: "hatching chick")],
                "objects \(layout.objects)")
        #expect(layout.background == "white", "background \(layout.background)")
    }

    @Test func malformedScenesAreRefusedNamingTheSample() {
        let cases = [
            ("left=dog", "no background"),
            ("background=blue", "no objects"),
            ("left=dog|background=blue|background=red", "background is given twice"),
            ("upper=dog|background=blue", "unknown place \"upper\""),
            ("left dog|background=blue", "\"left dog\" is not key=value"),
            ("left=|background=blue", "\"left\" has no value"),
            ("left=--|background=blue", "object name \"--\" has no words"),
        ]
        for (text, reason) in cases {
            do {
                _ = try SceneLayout(parsing: text, id: "pic-7")
                Issue.record("scene \"\(text)\" was accepted; expected: \(reason)")
            } catch {
                let message = "\(error)"
                #expect(message.hasPrefix("sample pic-7: scene \"\(text)\": ") && message.contains(reason),
                        "scene \"\(text)\": message \"\(message)\" should name the sample and say \(reason)")
            }
        }
    }

    @Test func captionsNamingEveryObjectInTheirPlaceScoreOne() throws {
        let got = try Self.score([
            ("a dog on the left and a cat at the top on a blue background", "left=dog|top=cat|background=blue"),
            ("there is a pizza in the middle, the background is red", "middle=pizza|background=red"),
        ])
        Self.expectScores(got, objects: 1, places: 1, "every object named and placed")
    }

    @Test func everyCaptionTemplateOfTheBundledDataScoresOne() throws {
        // The five templates of Datasets' Captioning, for a scene whose names hold a place word
        // ("top hat") and another name ("cherry blossom" and "blossom").
        let scene = "left=top hat|middle=cherry blossom|bottom=blossom|background=green"
        let templates = [
            "a top hat on the left, some cherry blossom in the middle and a blossom at the bottom on a green background",
            "a green background with a blossom at the bottom, some cherry blossom in the middle and a top hat on the left",
            "there is a top hat on the left, some cherry blossom in the middle and a blossom at the bottom, the background is green",
            "a top hat, some cherry blossom and a blossom on green, the top hat is on the left, the cherry blossom is in the middle and the blossom is at the bottom",
            "the blossom is at the bottom, the cherry blossom is in the middle and the top hat is on the left on a green background",
        ]
        for caption in templates {
            Self.expectScores(try Self.score([(caption, scene)]), objects: 1, places: 1, caption)
        }
    }

    @Test func aMissingObjectCountsAsOneWrong() throws {
        let got = try Self.score([("a dog on the left on a blue background", "left=dog|top=cat|background=blue")])
        Self.expectScores(got, objects: 1.0 / 2, places: 1.0 / 2, "cat missing: 1 right of {dog, cat}")
    }

    @Test func anExtraNameNotInThePictureCountsAsOneMoreWrong() throws {
        // "cat" is in the vocabulary through the second picture.
        let got = try Self.score([
            ("a dog on the left and a cat at the top", "left=dog|background=blue"),
            ("a cat in the middle", "middle=cat|background=red"),
        ])
        Self.expectScores(got, objects: 2.0 / 3, places: 1, "(1 right of {dog, cat} + 1 of {cat}) / 3")
    }

    @Test func namesOutsideTheVocabularyAreNotCounted() throws {
        let got = try Self.score([("a dog and a unicorn on the left", "left=dog|background=blue")])
        Self.expectScores(got, objects: 1, "unicorn is in no scene, so not a vocabulary name")
    }

    @Test func aMultiWordNameIsNotAlsoCountedAsTheNameInsideIt() throws {
        let scenes = ["top=mantelpiece clock|background=gray", "middle=clock|background=gray"]
        let right = try Self.score([("a mantelpiece clock at the top", scenes[0]), ("a clock in the middle", scenes[1])])
        Self.expectScores(right, objects: 1, places: 1, "\"mantelpiece clock\" is one name, not also \"clock\"")
        let both = try Self.score([("a mantelpiece clock and a clock at the top", scenes[0]), ("a clock in the middle", scenes[1])])
        Self.expectScores(both, objects: 2.0 / 3, "a second, separate \"clock\" is an extra name")
        let short = try Self.score([("a clock at the top", scenes[0]), ("a clock in the middle", scenes[1])])
        Self.expectScores(short, objects: 1.0 / 3, places: 1.0 / 2, "\"clock\" for a mantelpiece clock is one wrong and one missing")
    }

    @Test func namesMatchAsWholeWordsWhateverTheCase() throws {
        let got = try Self.score([
            ("A Mantelpiece CLOCK at the TOP", "top=mantelpiece clock|background=gray"),
            ("the Cat is on the Left", "left=CAT|background=gray"),
            ("a cathedral and some dogs", "right=dog|background=gray"),
        ])
        // Two named (case aside) of three objects; "cathedral" and "dogs" are not "cat" and "dog".
        Self.expectScores(got, objects: 2.0 / 3, places: 2.0 / 3, "case-insensitive whole words")
    }

    @Test func namingTheSameObjectTwiceCountsOnce() throws {
        let got = try Self.score([("a dog and a cat on blue, the dog is on the left and the cat is at the top, a dog",
                                   "left=dog|top=cat|background=blue")])
        Self.expectScores(got, objects: 1, places: 1, "dog said three times, cat twice")
    }

    @Test func aPlaceWordCountsOnlyInTheClauseOfTheName() throws {
        let scene = "left=top hat|right=dog|background=blue"
        let swapped = try Self.score([("a top hat on the right and a dog on the left", scene)])
        Self.expectScores(swapped, objects: 1, places: 0, "both named, both in the other's place")
        let unplaced = try Self.score([("a top hat and a dog", scene)])
        Self.expectScores(unplaced, objects: 1, places: 0, "the \"top\" of \"top hat\" is not a place")
        let elsewhere = try Self.score([("a top hat, a dog, on the left", scene)])
        Self.expectScores(elsewhere, objects: 1, places: 0, "a place in a clause of its own belongs to no name")
    }

    @Test func noScenesGiveNoScores() {
        #expect(ObjectAccuracy.score([]) == nil, "no items should give no scores")
    }
}
