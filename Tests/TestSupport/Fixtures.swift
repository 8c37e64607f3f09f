import Foundation

/// Reference files copied unchanged from the shared fixtures into `Tests/Fixtures/`.
public enum Fixtures {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// How far `actual` is from `expected` under `|a − e| ≤ atol + rtol·|e|` (numpy's allclose).
/// `ok` is false on a length mismatch or any element outside tolerance; `message` names the
/// worst element and by how much it missed, ready to be a test failure's comment.
public func closeness(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-4, atol: Float = 1e-5,
                      _ what: String) -> (ok: Bool, message: String) {
    guard actual.count == expected.count else {
        return (false, "\(what): \(actual.count) values, expected \(expected.count)")
    }
    var worst = -1, worstExcess: Float = 0, maxAbs: Float = 0, bad = 0
    for i in 0..<actual.count {
        let diff = abs(actual[i] - expected[i])
        maxAbs = max(maxAbs, diff.isNaN ? .infinity : diff)
        let excess = diff - (atol + rtol * abs(expected[i]))
        if excess > 0 || diff.isNaN {
            bad += 1
            if worst < 0 || excess > worstExcess || diff.isNaN { worst = i; worstExcess = excess }
        }
    }
    if worst < 0 { return (true, "\(what): max |diff| \(maxAbs)") }
    return (false, "\(what): \(bad)/\(actual.count) values outside rtol \(rtol) atol \(atol); worst at [\(worst)]: got \(actual[worst]), expected \(expected[worst]) (|diff| \(abs(actual[worst] - expected[worst])))")
}
