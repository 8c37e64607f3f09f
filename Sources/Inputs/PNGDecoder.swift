import CPNG
import Foundation

/// PNG reading and writing through libpng's simplified API (`png_image_*`).
///
/// The simplified API is used because libpng reports errors by `longjmp`, which Swift code
/// cannot catch; `png_image_*` catches them inside libpng and returns a flag and a message.
public enum PNG {
    /// Images above this many pixels are refused before any pixel memory is allocated.
    public static let maxPixels = 1 << 26

    /// Decodes the PNG at `url` to straight RGBA floats; errors name the file.
    public static func decode(contentsOf url: URL) throws -> RGBAImage {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImageError(file: url.path, reason: "cannot read file (\(error.localizedDescription))")
        }
        return try decode(data, name: url.path)
    }

    /// Decodes PNG bytes to straight RGBA floats, as Pillow does: every colour type and bit
    /// depth, palettes with and without tRNS, Adam7 interlacing. Values are the stored ones
    /// (8-bit: v/255, 16-bit: v/65535); colour-management chunks do not change them.
    /// `name` is what errors call the data (usually its path).
    public static func decode(_ data: Data, name: String) throws -> RGBAImage {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard data.count >= 8, data.prefix(8).elementsEqual(signature) else {
            throw ImageError(file: name, reason: "not a PNG file (no PNG signature)")
        }
        if let stripped = withoutColourManagement(data) { return try decodeVerbatim(stripped, name: name) }
        return try decodeVerbatim(data, name: name)
    }

    /// Runs libpng on bytes whose colour-management chunks are already gone.
    private static func decodeVerbatim(_ data: Data, name: String) throws -> RGBAImage {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws -> RGBAImage in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            // Safe on every path, including after libpng has freed it itself.
            defer { png_image_free(&image) }
            guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
                throw ImageError(file: name, reason: "unreadable PNG header (libpng: \(message(of: image)))")
            }
            let width = Int(image.width), height = Int(image.height)
            guard width * height <= maxPixels else {
                throw ImageError(file: name, reason: "image too large (\(width)x\(height) pixels, limit \(maxPixels))")
            }
            let sixteenBit = image.format & PNGFormat.linear != 0
            let hasAlpha = image.format & PNGFormat.alpha != 0
            var pixels = [Float](repeating: 0, count: width * height * 4)
            if sixteenBit {
                // The 16-bit formats are linear: with no gamma chunk libpng takes 16-bit data as
                // linear already, so values pass unchanged, but colour comes back premultiplied
                // by alpha and is divided back out below.
                image.format = PNGFormat.linearRGBA
                var raw = [UInt16](repeating: 0, count: width * height * 4)
                let ok = raw.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
                guard ok != 0 else { throw corrupt(name, image) }
                unitFloats(sixteenBit: raw, unpremultiply: hasAlpha, into: &pixels)
            } else {
                image.format = PNGFormat.rgba
                var raw = [UInt8](repeating: 0, count: width * height * 4)
                let ok = raw.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
                guard ok != 0 else { throw corrupt(name, image) }
                let table = byteToUnit
                raw.withUnsafeBufferPointer { src in
                    pixels.withUnsafeMutableBufferPointer { dst in
                        for i in 0..<src.count { dst[i] = table[Int(src[i])] }
                    }
                }
            }
            return RGBAImage(width: width, height: height, pixels: pixels)
        }
    }

    private static func unitFloats(sixteenBit raw: [UInt16], unpremultiply: Bool, into pixels: inout [Float]) {
        raw.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for p in 0..<(src.count / 4) {
                    let a = Float(src[p * 4 + 3])
                    dst[p * 4 + 3] = a / 65535
                    for k in 0..<3 {
                        let v = Float(src[p * 4 + k])
                        // Premultiplied colour under alpha 0 is 0 and the stored colour is lost;
                        // it is invisible once composited.
                        dst[p * 4 + k] = !unpremultiply ? v / 65535 : a == 0 ? 0 : min(v / a, 1)
                    }
                }
            }
        }
    }

    private static func corrupt(_ name: String, _ image: png_image) -> ImageError {
        ImageError(file: name, reason: "corrupt or truncated PNG (libpng: \(message(of: image)))")
    }

    static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "no message" : text
        }
    }

    /// The chunk types that make libpng convert gamma (gAMA, sRGB, an sRGB iCCP) or that
    /// describe colour spaces; Pillow ignores them all for pixel values, so they are dropped.
    private static let colourManagement: Set<String> = ["gAMA", "sRGB", "iCCP", "cHRM", "cICP"]

    /// The PNG without its colour-management chunks, or nil when it has none. These chunks must
    /// precede IDAT, so the scan stops there; a chunk running past the end is kept for libpng
    /// to report.
    private static func withoutColourManagement(_ data: Data) -> Data? {
        var dropped: [Range<Int>] = []
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var at = 8
            while at + 8 <= bytes.count {
                let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
                let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
                let end = at + 12 + length
                if type == "IDAT" || end > bytes.count { break }
                if colourManagement.contains(type) { dropped.append(at..<end) }
                at = end
            }
        }
        guard !dropped.isEmpty else { return nil }
        var kept = Data(capacity: data.count)
        var from = data.startIndex
        for range in dropped {
            kept.append(data[from..<(data.startIndex + range.lowerBound)])
            from = data.startIndex + range.upperBound
        }
        kept.append(data[from...])
        return kept
    }
}

/// png.h's format values; Swift imports only the flag bits, not the macros that combine them.
enum PNGFormat {
    static let alpha = UInt32(PNG_FORMAT_FLAG_ALPHA)
    static let linear = UInt32(PNG_FORMAT_FLAG_LINEAR)
    static let rgb = UInt32(PNG_FORMAT_FLAG_COLOR)
    static let rgba = rgb | alpha
    static let linearRGBA = rgba | linear
}
