import Datasets
import Foundation
import Inputs
import Testing

@Suite struct ManifestCheckTests {
    @Test func brokenManifestReportsEveryBadLineAndCountsTheGoodOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try PNG.write(ByteImage(width: 4, height: 3, layout: .rgb, bytes: [UInt8](repeating: 90, count: 36)),
                      to: dir.appendingPathComponent("good.png"))
        try Data("this is not a png".utf8).write(to: dir.appendingPathComponent("bad.png"))
        try AudioFile.write([Float](repeating: 0.1, count: 8000), sampleRate: 16000, to: dir.appendingPathComponent("good.flac"))
        try Data("fLaC".utf8).write(to: dir.appendingPathComponent("bad.flac"))
        let manifest = dir.appendingPathComponent("user.jsonl")
        try Data("""
            {"image": "good.png", "audio": "good.flac", "text": "fine", "task": "vqa"}
            {"image": "missing.png", "text": "no file"}
            {"image": "good.png", "text": "broken
            {"image": "bad.png", "text": "unreadable picture"}
            {"image": "good.png", "text": ""}
            {"audio": "bad.flac", "text": "unreadable sound"}
            {"text": "text only", "task": "text"}
            """.utf8).write(to: manifest)

        let check = ManifestCheck(manifest)
        let found = check.problems.map { "\($0.line ?? 0): \($0.reason)" }
        #expect(check.problems.map(\.line) == [2, 3, 4, 5, 6], "problems: \(found)")
        let expected = ["image file missing.png does not exist", "not valid JSON", "unreadable image",
                        "\"text\" is empty", "unreadable audio"]
        for (problem, reason) in zip(check.problems, expected) {
            #expect(problem.reason.hasPrefix(reason), "line \(problem.line ?? 0): '\(problem.reason)', expected '\(reason)…'")
            #expect(problem.description.hasPrefix(manifest.path + ":\(problem.line ?? 0): "), "\(problem.description)")
        }
        #expect(check.samples == 2 && check.tasks == ["vqa": 1, "text": 1], "good \(check.samples), tasks \(check.tasks)")
        #expect(check.inputs == ["image+audio": 1, "text only": 1] && check.imageSizes == ["4x3": 1], "\(check.inputs) \(check.imageSizes)")
        #expect(check.audioSeconds == [0.5], "durations \(check.audioSeconds)")
        #expect(check.summary.contains("2 good samples, 5 problems"), "\(check.summary)")
    }

    @Test func unreadableManifestIsOneProblemNotACrash() {
        let check = ManifestCheck(URL(fileURLWithPath: "/nonexistent/manifest.jsonl"))
        #expect(check.problems.count == 1 && check.problems[0].reason == "no such manifest file", "\(check.problems)")
        #expect(check.samples == 0)
    }
}
