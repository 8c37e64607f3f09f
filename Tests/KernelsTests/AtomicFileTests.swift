import Foundation
import Kernels
import Testing
import TestSupport

@Suite struct AtomicFileTests {
    struct Interrupted: Error {}

    @Test func writeReplacesTheWholeFileAndLeavesNoTemporary() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("state.bin")
        try AtomicFile.write(Data(repeating: 7, count: 100), to: url)
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        let content = try Data(contentsOf: url)
        #expect(content == Data([1, 2, 3]), "file holds \(content.count) bytes, expected the 3 just written")
        #expect(dir.contents == ["state.bin"], "directory holds \(dir.contents)")
    }

    @Test func streamedWriteConcatenatesWhatTheBodyWrites() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("stream.bin")
        try AtomicFile.write(to: url) { handle in
            try handle.write(contentsOf: Data("head ".utf8))
            try handle.write(contentsOf: Data("tail".utf8))
        }
        #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self) == "head tail", "streamed file content differs")
    }

    @Test func failingBodyKeepsTheOldFileAndItsError() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("keep.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: url) { handle in
                try handle.write(contentsOf: Data("half of the new".utf8))
                throw Interrupted()
            }
        }
        #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self) == "old", "the old content was not kept")
        #expect(dir.contents == ["keep.bin"], "a failed write left \(dir.contents)")
    }

    @Test func missingDirectoryIsNamedInTheError() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("no-such-dir/out.bin")
        let error = try #require(throws: AtomicFileError.self) { try AtomicFile.write(Data([1]), to: url) }
        #expect(error.description.contains("no-such-dir/out.bin") && error.description.contains("No such file or directory"),
                "error '\(error)' should name the path and the reason")
    }
}
