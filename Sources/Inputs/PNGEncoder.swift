import CPNG
import Foundation
import Kernels

extension PNG {
    /// Encodes an 8-bit RGB or RGBA image as PNG bytes. The same pixels always give the same
    /// bytes (no timestamps; fixed zlib settings), so rebuilt datasets are byte-identical.
    /// `name` is what errors call the image.
    public static func encode(_ image: ByteImage, name: String = "<memory>") throws -> Data {
        guard image.width > 0, image.height > 0, image.width * image.height <= maxPixels else {
            throw ImageError(file: name, reason: "cannot encode a \(image.width)x\(image.height) image")
        }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = image.layout == .rgba ? PNGFormat.rgba : PNGFormat.rgb
        defer { png_image_free(&png) }

        // png.h's PNG_IMAGE_PNG_SIZE_MAX: zlib's worst case on the filtered rows, plus chunk
        // framing; if libpng ever needs more it says how much and the write is retried.
        let filtered = (image.width * image.layout.rawValue + 1) * image.height
        let deflated = filtered + (filtered + 7) >> 3 + (filtered + 63) >> 6 + 11
        var capacity = deflated + 12 * (deflated / 8192 + 1) + 256
        for _ in 0..<2 {
            var out = Data(count: capacity)
            var size = capacity
            let ok = out.withUnsafeMutableBytes { dst in
                image.bytes.withUnsafeBytes { src in
                    png_image_write_to_memory(&png, dst.baseAddress, &size, 0, src.baseAddress, 0, nil)
                }
            }
            if ok != 0 { return out.prefix(size) }
            guard size > capacity else { break }
            capacity = size
            png_image_free(&png)
        }
        throw ImageError(file: name, reason: "PNG encoding failed (libpng: \(message(of: png)))")
    }

    /// Encodes and writes `image` to `url` atomically: a reader sees the old file or the whole
    /// new one, never a partial write.
    public static func write(_ image: ByteImage, to url: URL) throws {
        let data = try encode(image, name: url.path)
        do { try AtomicFile.write(data, to: url) } catch {
            throw ImageError(file: url.path, reason: "cannot write file (\(error))")
        }
    }
}
