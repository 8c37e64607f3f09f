import Foundation
import Inputs
import Kernels

/// Paints scenes: emoji pictures, shrunk with Inputs' area resize, alpha-blended at their
/// places over a flat background, with light augmentation (scale ±15%, a few pixels of jitter).
public struct Compositor: Sendable {
    public let side: Int
    /// Each object's picture as premultiplied-alpha planes `[4, h, w]` (RGB·A, A), so that
    /// resizing does not bleed the colour of transparent pixels into the edges.
    let sprites: [Tensor]

    /// Decodes the pictures of `objects`; throws the decoder's one-line error for a bad file.
    public init(catalog: EmojiCatalog, objects: [EmojiObject], side: Int) throws {
        self.side = side
        sprites = try objects.map { try Compositor.premultiplied(PNG.decode(contentsOf: catalog.pictureURL($0))) }
    }

    static func premultiplied(_ image: RGBAImage) -> Tensor {
        let plane = image.width * image.height
        let t = Tensor(zeros: [4, image.height, image.width])
        let out = t.data
        image.pixels.withUnsafeBufferPointer { px in
            for p in 0..<plane {
                let a = px[p * 4 + 3]
                for c in 0..<3 { out[c * plane + p] = px[p * 4 + c] * a }
                out[3 * plane + p] = a
            }
        }
        return t
    }

    /// Nominal object size as a fraction of the side: fewer objects are drawn larger.
    /// With the places 0.32 of the side apart, objects of 0.30 scaled up by 15% and shifted
    /// toward each other still overlap by only a few pixels of their (mostly transparent) edges.
    static func nominalSize(objects: Int) -> Float { objects == 1 ? 0.42 : (objects == 2 ? 0.33 : 0.30) }

    /// The scene as 8-bit RGB. Augmentation draws from `rng`: per object a scale in [0.85, 1.15]
    /// and a shift of up to `side/24` pixels each way, clamped so the object stays on the canvas.
    public func render(_ scene: Scene, rng: inout SplitMix) -> ByteImage {
        let plane = side * side
        var canvas = [Float](repeating: 0, count: 3 * plane)
        let bg = scene.background.rgb
        let background = [Float(bg.0) / 255, Float(bg.1) / 255, Float(bg.2) / 255]
        for c in 0..<3 { for p in 0..<plane { canvas[c * plane + p] = background[c] } }

        let nominal = Compositor.nominalSize(objects: scene.placements.count) * Float(side)
        let maxShift = max(1, side / 24)
        for placement in scene.placements {
            let scale = 0.85 + 0.3 * rng.uniform()
            let size = max(4, min(side, Int((nominal * scale).rounded())))
            let dx = Int(rng.next() % UInt64(2 * maxShift + 1)) - maxShift
            let dy = Int(rng.next() % UInt64(2 * maxShift + 1)) - maxShift
            let centre = placement.place.centre(side: side)
            let x0 = min(max(Int((centre.x - Float(size) / 2).rounded()) + dx, 0), side - size)
            let y0 = min(max(Int((centre.y - Float(size) / 2).rounded()) + dy, 0), side - size)
            let sprite = resizeImage(sprites[placement.object], height: size, width: size)
            blend(sprite, size: size, x0: x0, y0: y0, into: &canvas)
        }

        var bytes = [UInt8](repeating: 0, count: plane * 3)
        for p in 0..<plane {
            for c in 0..<3 { bytes[p * 3 + c] = UInt8((min(max(canvas[c * plane + p], 0), 1) * 255).rounded()) }
        }
        return ByteImage(width: side, height: side, layout: .rgb, bytes: bytes)
    }

    /// Premultiplied "over": out = src + (1 − α)·dst.
    func blend(_ sprite: Tensor, size: Int, x0: Int, y0: Int, into canvas: inout [Float]) {
        let plane = side * side, spritePlane = size * size
        let src = sprite.data
        for y in 0..<size {
            for x in 0..<size {
                let s = y * size + x, d = (y0 + y) * side + (x0 + x)
                let keep = 1 - src[3 * spritePlane + s]
                for c in 0..<3 { canvas[c * plane + d] = src[c * spritePlane + s] + keep * canvas[c * plane + d] }
            }
        }
    }
}
