import Foundation
import Kernels

/// The whole image front end (DESIGN §2): PNG → RGBA → composite over `background` → resize to
/// `height`×`width` → `(x − mean) / std` per channel → a `[3, height, width]` tensor.
public struct ImagePreprocessor: Sendable, Equatable {
    public var height: Int
    public var width: Int
    public var mean: SIMD3<Float>
    public var std: SIMD3<Float>
    public var background: SIMD3<Float>

    /// torchvision's ImageNet statistics, the usual default for a ViT trained from scratch.
    public static let imageNetMean = SIMD3<Float>(0.485, 0.456, 0.406)
    public static let imageNetStd = SIMD3<Float>(0.229, 0.224, 0.225)

    public init(height: Int, width: Int, mean: SIMD3<Float> = imageNetMean, std: SIMD3<Float> = imageNetStd,
                background: SIMD3<Float> = .white) {
        precondition(height > 0 && width > 0, "image size \(height)x\(width) must be positive")
        precondition(std.x > 0 && std.y > 0 && std.z > 0, "std \(std) must be positive")
        self.height = height
        self.width = width
        self.mean = mean
        self.std = std
        self.background = background
    }

    /// Decodes and preprocesses the PNG at `url`; errors name the file.
    public func tensor(from url: URL) throws -> Tensor {
        tensor(from: try PNG.decode(contentsOf: url))
    }

    /// Preprocesses an already decoded image.
    public func tensor(from image: RGBAImage) -> Tensor {
        let rgb = image.composited(over: background)
        let sized = image.height == height && image.width == width ? rgb : resizeImage(rgb, height: height, width: width)
        normalize(sized)
        return sized
    }

    /// `(x − mean_c) / std_c` in place on a `[3, H, W]` tensor.
    public func normalize(_ image: Tensor) {
        precondition(image.rank == 3 && image.shape[0] == 3, "normalize wants [3, H, W], got \(image.shape)")
        let plane = image.shape[1] * image.shape[2]
        for c in 0..<3 {
            let p = image.data + c * plane, m = mean[c], s = std[c]
            for i in 0..<plane { p[i] = (p[i] - m) / s }
        }
    }
}
