import Kernels

/// A decoded image: interleaved RGBA in [0, 1], row-major, `pixels.count == width * height * 4`.
/// Colour is straight (not premultiplied by alpha), as stored in the PNG.
public struct RGBAImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 4,
                     "\(pixels.count) values for a \(width)x\(height) RGBA image")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The exact float image of 8-bit pixels (`byte / 255`); an RGB image gets alpha 1.
    public init(_ image: ByteImage) {
        let table = byteToUnit
        let n = image.width * image.height, c = image.layout.rawValue
        var pixels = [Float](repeating: 1, count: n * 4)
        image.bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for p in 0..<n {
                    for k in 0..<c { dst[p * 4 + k] = table[Int(src[p * c + k])] }
                }
            }
        }
        self.init(width: image.width, height: image.height, pixels: pixels)
    }

    /// Alpha-composites over `background` (straight alpha: `a·c + (1−a)·bg`) and returns the
    /// colour planes as a `[3, height, width]` tensor, the layout the image encoder reads.
    public func composited(over background: SIMD3<Float> = .white) -> Tensor {
        let plane = width * height
        let out = Tensor(zeros: [3, height, width])
        let r = out.data, g = out.data + plane, b = out.data + 2 * plane
        pixels.withUnsafeBufferPointer { px in
            for p in 0..<plane {
                let a = px[p * 4 + 3], keep = 1 - a
                r[p] = a * px[p * 4] + keep * background.x
                g[p] = a * px[p * 4 + 1] + keep * background.y
                b[p] = a * px[p * 4 + 2] + keep * background.z
            }
        }
        return out
    }
}

extension SIMD3 where Scalar == Float {
    public static var white: SIMD3<Float> { SIMD3(1, 1, 1) }
    public static var black: SIMD3<Float> { SIMD3(0, 0, 0) }
}

/// An 8-bit image, interleaved RGB or RGBA, row-major: what PNG files are written from.
public struct ByteImage: Sendable, Equatable {
    public enum Layout: Int, Sendable {
        case rgb = 3
        case rgba = 4
    }

    public let width: Int
    public let height: Int
    public let layout: Layout
    public var bytes: [UInt8]

    public init(width: Int, height: Int, layout: Layout, bytes: [UInt8]) {
        precondition(width >= 0 && height >= 0 && bytes.count == width * height * layout.rawValue,
                     "\(bytes.count) bytes for a \(width)x\(height) \(layout) image")
        self.width = width
        self.height = height
        self.layout = layout
        self.bytes = bytes
    }

    /// Quantises a float image to bytes (`round(clamp(v, 0, 1) · 255)`); `.rgb` drops alpha
    /// without compositing, so composite first if the image has any transparency.
    public init(_ image: RGBAImage, layout: Layout) {
        let n = image.width * image.height, c = layout.rawValue
        var bytes = [UInt8](repeating: 0, count: n * c)
        image.pixels.withUnsafeBufferPointer { src in
            bytes.withUnsafeMutableBufferPointer { dst in
                for p in 0..<n {
                    for k in 0..<c { dst[p * c + k] = UInt8((min(max(src[p * 4 + k], 0), 1) * 255).rounded()) }
                }
            }
        }
        self.init(width: image.width, height: image.height, layout: layout, bytes: bytes)
    }
}

/// A file that is not an image this module can read or write. The description is one line
/// naming the file and what is wrong with it.
public struct ImageError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}

/// `Float(b) / 255` for every byte, correctly rounded, so decoding is exact and a float image
/// quantises back to the same bytes.
let byteToUnit: [Float] = (0..<256).map { Float($0) / 255 }
