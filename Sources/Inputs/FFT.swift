import Foundation

/// A complex discrete Fourier transform of any length, `X[k] = Σ x[j]·e^{−2πi·jk/n}`.
///
/// Mixed radix (4, 2, 3, 5 butterflies, a generic one for larger primes) in the Stockham
/// self-sorting form: each stage reads one buffer and writes the other in natural order, so
/// there is no bit-reversal pass and any factorisation works. Twiddles are computed once, in
/// double precision. The transform itself allocates nothing: callers pass a work buffer,
/// so one `FFT` can be shared by many threads.
public struct FFT: Sendable {
    public let count: Int
    private let stages: [Stage]
    private let twiddles: [Float]  // interleaved re, im; each stage's block at its offset

    private struct Stage: Sendable {
        let radix: Int
        let span: Int  // m: length of each sub-transform after this stage
        let stride: Int  // s: product of the radices before this one
        let twiddleOffset: Int
        let rootsOffset: Int  // ω_r^j for the generic butterfly
    }

    public init(count: Int) {
        precondition(count >= 1, "FFT length must be positive, got \(count)")
        self.count = count
        var stages: [Stage] = []
        var twiddles: [Float] = []
        var n = count, stride = 1
        for radix in FFT.factors(count) {
            let m = n / radix
            let offset = twiddles.count
            // Stage twiddle w_n^{p·u} for p < m, 1 ≤ u < r, applied after the butterfly.
            for p in 0..<m {
                for u in 1..<radix {
                    let angle = -2 * Double.pi * Double(p * u) / Double(n)
                    twiddles += [Float(cos(angle)), Float(sin(angle))]
                }
            }
            let roots = twiddles.count
            if radix > 5 {
                for j in 0..<radix {
                    let angle = -2 * Double.pi * Double(j) / Double(radix)
                    twiddles += [Float(cos(angle)), Float(sin(angle))]
                }
            }
            stages.append(Stage(radix: radix, span: m, stride: stride, twiddleOffset: offset, rootsOffset: roots))
            n = m
            stride *= radix
        }
        self.stages = stages
        self.twiddles = twiddles
    }

    /// Floats of scratch `forward` needs.
    public var workCount: Int { 2 * count }

    /// 4s first (fewest passes), then 2, 3, 5, then any remaining primes.
    static func factors(_ n: Int) -> [Int] {
        var n = n, out: [Int] = []
        for r in [4, 2, 3, 5] {
            while n % r == 0 { out.append(r); n /= r }
        }
        var p = 7
        while n > 1 {
            while n % p == 0 { out.append(p); n /= p }
            p += 2
        }
        return out
    }

    /// Transforms (`re`, `im`), `count` values each, in place; `work` holds `workCount` floats.
    public func forward(re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>, work: UnsafeMutablePointer<Float>) {
        var (xr, xi) = (re, im)
        var (yr, yi) = (work, work + count)
        twiddles.withUnsafeBufferPointer { tw in
            for stage in stages {
                pass(stage, xr, xi, yr, yi, tw.baseAddress!)
                swap(&xr, &yr)
                swap(&xi, &yi)
            }
        }
        if xr != re {
            re.update(from: xr, count: count)
            im.update(from: xi, count: count)
        }
    }

    /// Convenience for tests and one-off use: allocates and returns the transform.
    public func forward(re: [Float], im: [Float]) -> (re: [Float], im: [Float]) {
        precondition(re.count == count && im.count == count, "FFT of length \(count) given \(re.count)/\(im.count) values")
        var (r, i) = (re, im)
        var work = [Float](repeating: 0, count: workCount)
        r.withUnsafeMutableBufferPointer { rp in
            i.withUnsafeMutableBufferPointer { ip in
                work.withUnsafeMutableBufferPointer { forward(re: rp.baseAddress!, im: ip.baseAddress!, work: $0.baseAddress!) }
            }
        }
        return (r, i)
    }

    // One Stockham stage: for sub-transform p and interleave q, the r inputs x[q + s(p + k·m)]
    // become the outputs y[q + s(r·p + u)] = (Σ_k x_k ω_r^{uk}) · w_n^{pu}.
    @inline(__always)
    private func pass(_ stage: Stage, _ xr: UnsafeMutablePointer<Float>, _ xi: UnsafeMutablePointer<Float>,
                      _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>, _ tw: UnsafePointer<Float>) {
        let r = stage.radix, m = stage.span, s = stage.stride
        let sm = s * m
        for p in 0..<m {
            let w = tw + stage.twiddleOffset + 2 * (r - 1) * p
            let inBase = s * p, outBase = s * r * p
            switch r {
            case 2:
                let (w1r, w1i) = (w[0], w[1])
                for q in 0..<s {
                    let i0 = inBase + q, i1 = i0 + sm
                    let (ar, ai, br, bi) = (xr[i0], xi[i0], xr[i1], xi[i1])
                    let o = outBase + q
                    yr[o] = ar + br; yi[o] = ai + bi
                    let (dr, di) = (ar - br, ai - bi)
                    yr[o + s] = dr * w1r - di * w1i; yi[o + s] = dr * w1i + di * w1r
                }
            case 4:
                for q in 0..<s {
                    let i0 = inBase + q
                    let (a0r, a0i) = (xr[i0], xi[i0])
                    let (a1r, a1i) = (xr[i0 + sm], xi[i0 + sm])
                    let (a2r, a2i) = (xr[i0 + 2 * sm], xi[i0 + 2 * sm])
                    let (a3r, a3i) = (xr[i0 + 3 * sm], xi[i0 + 3 * sm])
                    let (t0r, t0i) = (a0r + a2r, a0i + a2i), (t1r, t1i) = (a0r - a2r, a0i - a2i)
                    let (t2r, t2i) = (a1r + a3r, a1i + a3i), (t3r, t3i) = (a1r - a3r, a1i - a3i)
                    // b1 = t1 − i·t3, b3 = t1 + i·t3 (forward sign: ω_4 = −i)
                    let (b1r, b1i) = (t1r + t3i, t1i - t3r), (b2r, b2i) = (t0r - t2r, t0i - t2i)
                    let (b3r, b3i) = (t1r - t3i, t1i + t3r)
                    let o = outBase + q
                    yr[o] = t0r + t2r; yi[o] = t0i + t2i
                    store(b1r, b1i, w[0], w[1], yr, yi, o + s)
                    store(b2r, b2i, w[2], w[3], yr, yi, o + 2 * s)
                    store(b3r, b3i, w[4], w[5], yr, yi, o + 3 * s)
                }
            case 3:
                let c = Float(-0.5), sn = Float(-0.866_025_403_784_438_6)  // cos, sin of −2π/3
                for q in 0..<s {
                    let i0 = inBase + q
                    let (a0r, a0i) = (xr[i0], xi[i0])
                    let (a1r, a1i) = (xr[i0 + sm], xi[i0 + sm])
                    let (a2r, a2i) = (xr[i0 + 2 * sm], xi[i0 + 2 * sm])
                    let (tr, ti) = (a1r + a2r, a1i + a2i), (dr, di) = (a1r - a2r, a1i - a2i)
                    let (mr, mi) = (a0r + c * tr, a0i + c * ti)
                    // b1 = m + i·sn·d, b2 = m − i·sn·d
                    let o = outBase + q
                    yr[o] = a0r + tr; yi[o] = a0i + ti
                    store(mr - sn * di, mi + sn * dr, w[0], w[1], yr, yi, o + s)
                    store(mr + sn * di, mi - sn * dr, w[2], w[3], yr, yi, o + 2 * s)
                }
            case 5:
                let c1 = Float(0.309_016_994_374_947_45), c2 = Float(-0.809_016_994_374_947_5)
                let s1 = Float(0.951_056_516_295_153_5), s2 = Float(0.587_785_252_292_473_1)
                for q in 0..<s {
                    let i0 = inBase + q
                    let (a0r, a0i) = (xr[i0], xi[i0])
                    let (a1r, a1i) = (xr[i0 + sm], xi[i0 + sm])
                    let (a2r, a2i) = (xr[i0 + 2 * sm], xi[i0 + 2 * sm])
                    let (a3r, a3i) = (xr[i0 + 3 * sm], xi[i0 + 3 * sm])
                    let (a4r, a4i) = (xr[i0 + 4 * sm], xi[i0 + 4 * sm])
                    let (t1r, t1i) = (a1r + a4r, a1i + a4i), (t2r, t2i) = (a2r + a3r, a2i + a3i)
                    let (t3r, t3i) = (a1r - a4r, a1i - a4i), (t4r, t4i) = (a2r - a3r, a2i - a3i)
                    let (m1r, m1i) = (a0r + c1 * t1r + c2 * t2r, a0i + c1 * t1i + c2 * t2i)
                    let (m2r, m2i) = (a0r + c2 * t1r + c1 * t2r, a0i + c2 * t1i + c1 * t2i)
                    let (n1r, n1i) = (s1 * t3r + s2 * t4r, s1 * t3i + s2 * t4i)
                    let (n2r, n2i) = (s2 * t3r - s1 * t4r, s2 * t3i - s1 * t4i)
                    // b1 = m1 − i·n1, b4 = m1 + i·n1, b2 = m2 − i·n2, b3 = m2 + i·n2
                    let o = outBase + q
                    yr[o] = a0r + t1r + t2r; yi[o] = a0i + t1i + t2i
                    store(m1r + n1i, m1i - n1r, w[0], w[1], yr, yi, o + s)
                    store(m2r + n2i, m2i - n2r, w[2], w[3], yr, yi, o + 2 * s)
                    store(m2r - n2i, m2i + n2r, w[4], w[5], yr, yi, o + 3 * s)
                    store(m1r - n1i, m1i + n1r, w[6], w[7], yr, yi, o + 4 * s)
                }
            default:
                let roots = tw + stage.rootsOffset
                for q in 0..<s {
                    let i0 = inBase + q
                    for u in 0..<r {
                        var accR: Float = 0, accI: Float = 0
                        for k in 0..<r {
                            let j = (u * k) % r
                            let (ar, ai) = (xr[i0 + k * sm], xi[i0 + k * sm])
                            let (cr, ci) = (roots[2 * j], roots[2 * j + 1])
                            accR += ar * cr - ai * ci
                            accI += ar * ci + ai * cr
                        }
                        let o = outBase + q + u * s
                        if u == 0 {
                            yr[o] = accR; yi[o] = accI
                        } else {
                            store(accR, accI, w[2 * (u - 1)], w[2 * (u - 1) + 1], yr, yi, o)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func store(_ br: Float, _ bi: Float, _ wr: Float, _ wi: Float,
                       _ yr: UnsafeMutablePointer<Float>, _ yi: UnsafeMutablePointer<Float>, _ o: Int) {
        yr[o] = br * wr - bi * wi
        yi[o] = br * wi + bi * wr
    }
}

/// The DFT of `count` real values (count even) through one complex FFT of half the length:
/// the even samples go in the real part, the odd ones in the imaginary part, and the two
/// interleaved spectra are separated afterwards. Bins 0…count/2 are returned.
public struct RealFFT: Sendable {
    public let count: Int
    private let half: FFT
    private let unpack: [Float]  // e^{−2πik/count} for k ≤ count/2, interleaved re, im

    public init(count: Int) {
        precondition(count >= 2 && count % 2 == 0, "RealFFT needs an even length, got \(count)")
        self.count = count
        half = FFT(count: count / 2)
        unpack = (0...count / 2).flatMap { k -> [Float] in
            let angle = -2 * Double.pi * Double(k) / Double(count)
            return [Float(cos(angle)), Float(sin(angle))]
        }
    }

    public var binCount: Int { count / 2 + 1 }
    /// Floats of scratch `transform` and `powerSpectrum` need.
    public var workCount: Int { count + half.workCount + 2 * binCount }

    /// Writes the complex bins 0…count/2 of the real input `x` into `re` and `im` (`binCount` each).
    public func transform(_ x: UnsafePointer<Float>, re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>,
                          work: UnsafeMutablePointer<Float>) {
        let m = count / 2
        let zr = work, zi = work + m
        for j in 0..<m {
            zr[j] = x[2 * j]
            zi[j] = x[2 * j + 1]
        }
        half.forward(re: zr, im: zi, work: work + count)
        unpack.withUnsafeBufferPointer { w in
            for k in 0...m {
                // E = (Z[k] + conj Z[m−k]) / 2, O = (Z[k] − conj Z[m−k]) / 2i, X[k] = E + w^k · O
                let a = k % m, b = (m - k) % m
                let (pr, pi) = (zr[a], zi[a]), (qr, qi) = (zr[b], -zi[b])
                let (er, ei) = (0.5 * (pr + qr), 0.5 * (pi + qi))
                let (or, oi) = (0.5 * (pi - qi), -0.5 * (pr - qr))
                let (wr, wi) = (w[2 * k], w[2 * k + 1])
                re[k] = er + wr * or - wi * oi
                im[k] = ei + wr * oi + wi * or
            }
        }
    }

    /// |X[k]|² for bins 0…count/2 into `power`; `work` holds `workCount` floats.
    public func powerSpectrum(_ x: UnsafePointer<Float>, into power: UnsafeMutablePointer<Float>,
                              work: UnsafeMutablePointer<Float>) {
        let re = work + count + half.workCount, im = re + binCount
        transform(x, re: re, im: im, work: work)
        for k in 0..<binCount { power[k] = re[k] * re[k] + im[k] * im[k] }
    }

    /// Convenience for tests and one-off use: allocates and returns bins 0…count/2.
    public func transform(_ x: [Float]) -> (re: [Float], im: [Float]) {
        precondition(x.count == count, "RealFFT of length \(count) given \(x.count) values")
        var re = [Float](repeating: 0, count: binCount), im = re
        var work = [Float](repeating: 0, count: workCount)
        x.withUnsafeBufferPointer { xp in
            re.withUnsafeMutableBufferPointer { rp in
                im.withUnsafeMutableBufferPointer { ip in
                    work.withUnsafeMutableBufferPointer {
                        transform(xp.baseAddress!, re: rp.baseAddress!, im: ip.baseAddress!, work: $0.baseAddress!)
                    }
                }
            }
        }
        return (re, im)
    }
}
