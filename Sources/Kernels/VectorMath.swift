/// Transcendentals on SIMD8 lanes. libm's `expf` is scalar: on hot paths (softmax, SiLU, GELU)
/// it would cost as much as the GEMMs, so `exp` is a Cephes-style polynomial on eight lanes,
/// accurate to a couple of ulp over the float range (checked against the fixtures).

@inline(__always)
public func vexp(_ x: F8) -> F8 {
    var x = x
    let low = F8(repeating: -87.3), high = F8(repeating: 88.7)
    x.replace(with: low, where: x .< low)   // `clamped` is generic and unspecialised here
    x.replace(with: high, where: x .> high)
    // exp(x) = 2^n · exp(r), n = round(x / ln 2), r = x − n ln 2 (ln 2 split for precision).
    // Adding 1.5·2^23 rounds to an integer held in the low mantissa bits, which avoids Swift's
    // generic (unspecialised, slow) Float→Int32 SIMD conversion.
    let magic = F8(repeating: 12_582_912)
    let shifted = x * 1.442_695_04 + magic
    let n = shifted - magic
    var r = x - n * 0.693_359_375  // n·C1 is exact: C1 has few mantissa bits
    r = r + n * 2.121_944_4e-4
    var p = F8(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_6e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_1e-1
    let r2 = r * r
    let er = p * r2 + r + 1
    let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    let scale = unsafeBitCast((integer &+ 127) &<< 23, to: F8.self)
    return er * scale
}

@inline(__always)
public func vexp(_ x: Float) -> Float { vexp(F8(repeating: x))[0] }

/// 1 / (1 + e^−x)
@inline(__always)
public func vsigmoid(_ x: F8) -> F8 { 1 / (1 + vexp(-x)) }

/// tanh via exp: 1 − 2/(e^{2x}+1); absolute error ~1e-7, which is what the GELU needs.
@inline(__always)
public func vtanh(_ x: F8) -> F8 { 1 - 2 / (vexp(2 * x) + 1) }

/// Applies `f` lane-wise over `n` floats from `x` into `y` (may alias).
@inline(__always)
public func mapSIMD(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ f: (F8) -> F8) {
    var i = 0
    while i + 8 <= n { store8(f(load8(x + i)), y + i); i += 8 }
    if i < n {
        var tail = F8()
        for j in 0..<(n - i) { tail[j] = x[i + j] }
        let r = f(tail)
        for j in 0..<(n - i) { y[i + j] = r[j] }
    }
}
