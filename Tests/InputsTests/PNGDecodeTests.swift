import Foundation
import Inputs
import Kernels
import Testing
import TestSupport

@Suite struct PNGDecodeTests {
    static let broken: Set<String> = ["not_a_png", "truncated"]

    @Test func everyFixturePNGMatchesPillow() throws {
        let expected = try SafeTensorsFile(contentsOf: Fixtures.url("png/decoded.safetensors"))
        let files = try FileManager.default.contentsOfDirectory(at: Fixtures.url("png"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "png" && !Self.broken.contains($0.deletingPathExtension().lastPathComponent) }
        #expect(Set(files.map { $0.deletingPathExtension().lastPathComponent }) == Set(expected.names),
                "PNG files and decoded.safetensors keys differ")
        for file in files {
            let stem = file.deletingPathExtension().lastPathComponent
            guard expected.info(stem) != nil else { continue }
            let reference = try expected.tensor(stem)
            let image = try PNG.decode(contentsOf: file)
            #expect([image.height, image.width, 4] == reference.shape, "\(stem): shape [\(image.height), \(image.width), 4] vs Pillow's \(reference.shape)")
            // Stored values come back exactly (v/255, v/65535); 1e-6 leaves room only for float noise.
            let r = closeness(image.pixels, reference.array, rtol: 0, atol: 1e-6, "\(stem) RGBA vs Pillow")
            #expect(r.ok, "\(r.message)")
        }
    }

    @Test func gray16KeepsFullPrecision() throws {
        let reference = try SafeTensorsFile(contentsOf: Fixtures.url("png/decoded.safetensors")).tensor("gray16")
        let image = try PNG.decode(contentsOf: Fixtures.url("png/gray16.png"))
        // value/65535 exactly, not an 8-bit value: far tighter than 1/255.
        let r = closeness(image.pixels, reference.array, rtol: 0, atol: 1e-7, "gray16 vs value/65535")
        #expect(r.ok, "\(r.message)")
    }

    @Test(arguments: ["not_a_png", "truncated"])
    func brokenFileIsRefusedWithOneLineNamingIt(stem: String) {
        let url = Fixtures.url("png/\(stem).png")
        do {
            let image = try PNG.decode(contentsOf: url)
            Issue.record("\(stem).png decoded to a \(image.width)x\(image.height) image instead of failing")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix(url.path + ": "), "error does not start with the path: \(text)")
            #expect(!text.contains("\n"), "error is not one line: \(text)")
            #expect(text.count > url.path.count + 10, "error gives no reason: \(text)")
        }
    }

    @Test func missingFileIsAnImageErrorNamingIt() {
        let url = Fixtures.url("png/does_not_exist.png")
        #expect(throws: ImageError.self) { try PNG.decode(contentsOf: url) }
        do { _ = try PNG.decode(contentsOf: url) } catch {
            #expect("\(error)".hasPrefix(url.path + ": cannot read file"), "\(error)")
        }
    }

    @Test func gammaChunksDoNotChangeStoredValues() throws {
        // gAMA 1.0 on 8-bit data and gAMA 1/2.2 on 16-bit data would both make libpng convert
        // the samples; Pillow returns them as stored, and so must we.
        let rgb = RawPNG.make(width: 2, height: 1, bitDepth: 8, colourType: 2, rows: [[10, 100, 200, 255, 128, 0]],
                              before: [("gAMA", RawPNG.bigEndian(100_000))])
        let decoded8 = try PNG.decode(rgb, name: "gamma8")
        let expected8: [Float] = [10, 100, 200, 255, 255, 128, 0, 255].map { $0 / 255 }
        let r8 = closeness(decoded8.pixels, expected8, rtol: 0, atol: 1e-7, "8-bit RGB with gAMA 1.0")
        #expect(r8.ok, "\(r8.message)")

        let gray = RawPNG.make(width: 2, height: 1, bitDepth: 16, colourType: 0, rows: [[0x12, 0x34, 0xFE, 0xDC]],
                               before: [("gAMA", RawPNG.bigEndian(45_455)), ("sRGB", [0])])
        let decoded16 = try PNG.decode(gray, name: "gamma16")
        let g0 = Float(0x1234) / 65535, g1 = Float(0xFEDC) / 65535
        let r16 = closeness(decoded16.pixels, [g0, g0, g0, 1, g1, g1, g1, 1], rtol: 0, atol: 1e-7, "16-bit gray with gAMA and sRGB")
        #expect(r16.ok, "\(r16.message)")
    }

    @Test func lowBitDepthGrayScalesToFullRange() throws {
        // 2-bit gray 0, 1, 2, 3 → 0, 85, 170, 255 as Pillow's "L" mode has it.
        let png = RawPNG.make(width: 4, height: 1, bitDepth: 2, colourType: 0, rows: [[0b00_01_10_11]])
        let decoded = try PNG.decode(png, name: "gray2")
        let expected = [Float]([0, 85, 170, 255].flatMap { v in [v / 255, v / 255, v / 255, 1] })
        let r = closeness(decoded.pixels, expected, rtol: 0, atol: 1e-7, "2-bit gray")
        #expect(r.ok, "\(r.message)")
    }

    @Test func sixteenBitAlphaComesBackStraightNotPremultiplied() throws {
        // libpng's 16-bit output is premultiplied; the decoder divides alpha back out.
        let samples: [UInt16] = [0xC000, 0x4000, 0x8000, 0x9000, 0x1234, 0xFFFF, 0x0000, 0xFFFF]
        let row = samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let png = RawPNG.make(width: 2, height: 1, bitDepth: 16, colourType: 6, rows: [row])
        let decoded = try PNG.decode(png, name: "rgba16")
        let r = closeness(decoded.pixels, samples.map { Float($0) / 65535 }, rtol: 0, atol: 2e-5, "RGBA16 straight colour")
        #expect(r.ok, "\(r.message)")
    }
}
