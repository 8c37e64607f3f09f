import Foundation
import Inputs
import Testing

/// A temporary folder with a few (empty) media files, removed by `clean()`.
private struct Scratch {
    let dir: URL

    init(files: [String] = ["img/1.png", "img/2.png", "aud/1.flac"]) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-tests-\(UUID().uuidString)")
        for file in files {
            let url = dir.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data([0]).write(to: url)
        }
    }

    func manifest(_ name: String, _ text: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func clean() { try? FileManager.default.removeItem(at: dir) }
}

/// The error `body` throws, or nil.
private func manifestError(_ body: () throws -> Void) -> ManifestError? {
    do { try body() } catch let error as ManifestError { return error } catch { return nil }
    return nil
}

@Suite struct ManifestTests {
    @Test func jsonlFieldsAreReadAndPathsResolvedAgainstTheManifestFolder() throws {
        let s = try Scratch()
        defer { s.clean() }
        let url = try s.manifest("train.jsonl", """
            {"id": "a", "image": "img/1.png", "audio": "aud/1.flac", "prompt": "describe", "text": "a dog", "references": ["a dog", "one dog"], "task": "caption", "voice": "en-us", "scene": "left=dog|background=blue"}

            {"image": "img/2.png", "text": "a cat"}
            {"references": ["yes"], "task": "vqa"}
            """)
        let m = try Manifest(contentsOf: url)
        #expect(m.samples.count == 3, "read \(m.samples.count) samples, expected 3")
        let a = m.samples[0]
        #expect(a.id == "a" && a.prompt == "describe" && a.text == "a dog" && a.task == "caption")
        #expect(a.scene == "left=dog|background=blue", "scene \(String(describing: a.scene))")
        #expect(a.references == ["a dog", "one dog"], "references \(a.references)")
        #expect(a.image == s.dir.appendingPathComponent("img/1.png").standardizedFileURL, "image \(String(describing: a.image))")
        #expect(a.audio?.path == s.dir.appendingPathComponent("aud/1.flac").standardizedFileURL.path)
        let b = m.samples[1]
        #expect(b.line == 3, "the sample after a blank line is on line \(b.line), expected 3")
        #expect(b.references == ["a cat"] && b.prompt == "" && b.task == nil && b.audio == nil && b.scene == nil,
                "defaults: references \(b.references), prompt '\(b.prompt)', task \(String(describing: b.task)), scene \(String(describing: b.scene))")
        #expect(b.id.hasSuffix("train.jsonl:3"), "a missing id defaults to file:line, got \(b.id)")
        #expect(m.samples[2].text == nil && m.samples[2].references == ["yes"])
    }

    @Test func wrongTypeNamesFileLineAndField() throws {
        let s = try Scratch()
        defer { s.clean() }
        let url = try s.manifest("train.jsonl", """
            {"text": "ok"}
            {"text": "ok"}
            {"text": 17}
            """)
        let error = manifestError { _ = try Manifest(contentsOf: url) }
        #expect(error?.line == 3, "error \(String(describing: error))")
        #expect(error?.description.hasSuffix("train.jsonl:3: expected a string for \"text\"") == true,
                "got \(String(describing: error))")
    }

    @Test func everyKindOfBadLineIsReportedWithItsLine() throws {
        let s = try Scratch()
        defer { s.clean() }
        let cases: [(String, String)] = [
            (#"{"text": "a", "#, "not valid JSON"),
            (#"["text"]"#, "expected a JSON object"),
            (#"{"text": "  "}"#, "\"text\" is empty"),
            (#"{"references": []}"#, "\"references\" is empty"),
            (#"{"references": ["a", ""]}"#, "\"references\"[1] is empty"),
            (#"{"references": "a"}"#, "expected a list of strings for \"references\""),
            (#"{"prompt": "p"}"#, "expected \"text\" or \"references\""),
            (#"{"image": 3, "text": "a"}"#, "expected a path string for \"image\""),
            (#"{"image": "", "text": "a"}"#, "\"image\" is an empty path"),
            (#"{"image": "img/9.png", "text": "a"}"#, "image file img/9.png does not exist"),
            (#"{"task": ["x"], "text": "a"}"#, "expected a string for \"task\""),
            (#"{"scene": {"left": "dog"}, "text": "a"}"#, "expected a string for \"scene\""),
        ]
        for (i, (line, reason)) in cases.enumerated() {
            let url = try s.manifest("m\(i).jsonl", "{\"text\": \"fine\"}\n" + line + "\n")
            let error = manifestError { _ = try Manifest(contentsOf: url) }
            #expect(error?.line == 2 && error?.reason.hasPrefix(reason) == true,
                    "line \(line): got \(String(describing: error)), expected line 2: \(reason)")
        }
    }

    @Test func skippingBadLinesKeepsTheRestAndCountsThem() throws {
        let s = try Scratch()
        defer { s.clean() }
        let url = try s.manifest("mixed.jsonl", """
            {"text": "one"}
            {"text": "two"
            {"text": "three", "image": "img/1.png"}
            {"text": "four", "image": "img/missing.png"}
            {"text": "five"}
            """)
        let m = try Manifest(contentsOf: url, skipBadLines: true)
        #expect(m.samples.map(\.text) == ["one", "three", "five"], "kept \(m.samples.map(\.text))")
        #expect(m.skipped.map(\.line) == [2, 4], "skipped lines \(m.skipped.map(\.line))")
        let unchecked = try Manifest(contentsOf: url, skipBadLines: true, checkFiles: false)
        #expect(unchecked.samples.count == 4, "without file checks only the broken line is bad, kept \(unchecked.samples.count)")
    }

    @Test func llavaConversationsGiveFirstExchangeAndElementLines() throws {
        let s = try Scratch()
        defer { s.clean() }
        let url = try s.manifest("llava.json", """
            [
              {
                "id": 7,
                "image": "img/1.png",
                "conversations": [
                  {"from": "human", "value": "<image>\\nWhat is on the left?"},
                  {"from": "gpt", "value": "A dog, [on the left]."},
                  {"from": "human", "value": "And on the right?"},
                  {"from": "gpt", "value": "Nothing."}
                ]
              },
              {"id": "b", "audio": ["aud/1.flac"], "conversations": [{"from": "human", "value": "<audio>\\nWhat was said?"}]},
              {"id": "c", "text": "plain sample in a JSON array"}
            ]
            """)
        let m = try Manifest(contentsOf: url, skipBadLines: true)
        #expect(m.samples.count == 2, "read \(m.samples.count) samples, expected 2")
        let first = m.samples[0]
        #expect(first.id == "7" && first.prompt == "What is on the left?" && first.text == "A dog, [on the left].",
                "id \(first.id), prompt '\(first.prompt)', text \(String(describing: first.text))")
        #expect(first.line == 2 && first.references == ["A dog, [on the left]."])
        #expect(m.samples[1].line == 13 && m.samples[1].text == "plain sample in a JSON array")
        #expect(m.skipped.count == 1 && m.skipped[0].line == 12
                && m.skipped[0].reason == "\"conversations\" has no human turn followed by a gpt turn",
                "skipped \(m.skipped)")
    }

    @Test func brokenArraysAndEmptyFilesAreOneLineErrors() throws {
        let s = try Scratch()
        defer { s.clean() }
        let open = try s.manifest("open.json", "[\n {\"text\": \"a\"},\n {\"text\": \"b\"\n")
        #expect(manifestError { _ = try Manifest(contentsOf: open) }?.reason == "the JSON array is not closed")
        let empty = try s.manifest("empty.jsonl", "\n\n")
        #expect(manifestError { _ = try Manifest(contentsOf: empty) }?.reason == "no samples in the manifest")
        let missing = s.dir.appendingPathComponent("nope.jsonl")
        #expect(manifestError { _ = try Manifest(contentsOf: missing) }?.reason == "no such manifest file")
    }
}
