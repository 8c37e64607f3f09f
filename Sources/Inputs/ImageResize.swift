import Kernels

/// Resizes channel-planar images `[C, H, W]` to `[C, height, width]`, one axis at a time.
///
/// Per axis: shrinking averages the source area each output pixel covers (OpenCV's
/// INTER_AREA; antialiased, so a checkerboard shrinks to its mean, not to aliasing);
/// enlarging is bilinear with pixel centres at +0.5 and edges clamped (PyTorch's
/// `interpolate(mode="bilinear", align_corners=False)`); an unchanged axis is copied.
public func resizeImage(_ image: Tensor, height: Int, width: Int) -> Tensor {
    precondition(image.rank == 3 && height > 0 && width > 0 && image.shape[1] > 0 && image.shape[2] > 0,
                 "resizeImage wants a non-empty [C, H, W] image and a positive size, got \(image.shape) to \(height)x\(width)")
    let (channels, srcH, srcW) = (image.shape[0], image.shape[1], image.shape[2])
    let across = ResizeWeights(from: srcW, to: width)
    let down = ResizeWeights(from: srcH, to: height)

    // Horizontal pass: every source row becomes `width` wide.
    let wide = Tensor(zeros: [channels, srcH, width])
    let src = image.data, mid = wide.data
    across.withTaps { taps in
        for row in 0..<(channels * srcH) {
            let input = src + row * srcW, output = mid + row * width
            for x in 0..<width {
                let (first, weights) = taps(x)
                var acc: Float = 0
                for k in 0..<weights.count { acc += weights[k] * input[first + k] }
                output[x] = acc
            }
        }
    }

    // Vertical pass: each output row is a weighted sum of whole intermediate rows.
    let out = Tensor(zeros: [channels, height, width])
    let dst = out.data
    down.withTaps { taps in
        for c in 0..<channels {
            let plane = mid + c * srcH * width
            for y in 0..<height {
                let (first, weights) = taps(y)
                let output = dst + (c * height + y) * width
                for k in 0..<weights.count {
                    let w = weights[k], input = plane + (first + k) * width
                    for x in 0..<width { output[x] += w * input[x] }
                }
            }
        }
    }
    return out
}

/// For each output index along one axis: the first source index it reads and the weights of
/// the consecutive source pixels from there (they sum to 1).
struct ResizeWeights {
    private var first: [Int] = []
    private var start: [Int] = [0]
    private var flat: [Float] = []

    init(from source: Int, to target: Int) {
        if target < source {
            // Output i covers source interval [i·s, (i+1)·s); each source pixel counts by overlap.
            let scale = Double(source) / Double(target)
            for i in 0..<target {
                let lo = Double(i) * scale, hi = min(Double(i + 1) * scale, Double(source))
                let j0 = Int(lo.rounded(.down)), j1 = min(Int(hi.rounded(.up)), source)
                append(first: j0, weights: (j0..<j1).map { j in
                    Float((min(Double(j + 1), hi) - max(Double(j), lo)) / scale)
                })
            }
        } else if target > source {
            let scale = Double(source) / Double(target)
            for i in 0..<target {
                let x = max((Double(i) + 0.5) * scale - 0.5, 0)
                let j0 = min(Int(x.rounded(.down)), source - 1)
                let t = Float(x - Double(j0))
                append(first: j0, weights: j0 + 1 < source && t > 0 ? [1 - t, t] : [1])
            }
        } else {
            for i in 0..<target { append(first: i, weights: [1]) }
        }
    }

    private mutating func append(first j: Int, weights: [Float]) {
        first.append(j)
        flat.append(contentsOf: weights)
        start.append(flat.count)
    }

    /// Calls `body` with a lookup from output index to (first source index, weights), the
    /// weights as an unchecked buffer for the inner loops.
    func withTaps<R>(_ body: ((Int) -> (Int, UnsafeBufferPointer<Float>)) -> R) -> R {
        flat.withUnsafeBufferPointer { all in
            body { i in (first[i], UnsafeBufferPointer(rebasing: all[start[i]..<start[i + 1]])) }
        }
    }
}
