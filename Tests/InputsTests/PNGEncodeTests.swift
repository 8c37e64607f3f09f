import Foundation
import Inputs
import Kernels
import Testing

@Suite struct PNGEncodeTests {
    private func randomImage(width: Int, height: Int, layout: ByteImage.Layout, seed: UInt64) -> ByteImage {
        var rng = SplitMix(seed: seed)
        let bytes = (0..<(width * height * layout.rawValue)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return ByteImage(width: width, height: height, layout: layout, bytes: bytes)
    }

    private func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("moemm-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: [ByteImage.Layout.rgb, .rgba])
    func encodeThenDecodeIsExact(layout: ByteImage.Layout) throws {
        let original = randomImage(width: 13, height: 7, layout: layout, seed: 42)
        let decoded = try PNG.decode(try PNG.encode(original), name: "round trip")
        #expect(decoded == RGBAImage(original), "decoded floats differ from byte/255")
        let back = ByteImage(decoded, layout: layout)
        let differing = zip(back.bytes, original.bytes).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(original.bytes.count) bytes changed in the \(layout) round trip")
    }

    @Test func sameImageEncodesToSameBytes() throws {
        let image = randomImage(width: 32, height: 32, layout: .rgba, seed: 7)
        let a = try PNG.encode(image), b = try PNG.encode(image)
        #expect(a == b, "two encodings differ (\(a.count) vs \(b.count) bytes)")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.png")
        try PNG.write(image, to: url)
        let first = try Data(contentsOf: url)
        try PNG.write(image, to: url)
        #expect(try Data(contentsOf: url) == first, "rewriting the same image changed the file")
        #expect(first == a, "file bytes differ from encode()'s")
    }

    @Test func writeReplacesTheFileAndLeavesNoTemporary() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("img.png")
        try PNG.write(randomImage(width: 4, height: 4, layout: .rgb, seed: 1), to: url)
        let second = randomImage(width: 5, height: 3, layout: .rgb, seed: 2)
        try PNG.write(second, to: url)
        #expect(try PNG.decode(contentsOf: url) == RGBAImage(second), "file does not hold the second image")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(names == ["img.png"], "directory holds \(names)")
    }

    @Test func writeIntoMissingDirectoryNamesTheFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent-moemm-dir/out.png")
        do {
            try PNG.write(randomImage(width: 2, height: 2, layout: .rgb, seed: 3), to: url)
            Issue.record("writing into a missing directory succeeded")
        } catch {
            #expect("\(error)".hasPrefix(url.path + ": cannot write file"), "\(error)")
        }
    }

    @Test func emptyImageIsRefused() {
        #expect(throws: ImageError.self) { try PNG.encode(ByteImage(width: 0, height: 3, layout: .rgb, bytes: [])) }
    }
}
