/// Embedding gather (forward) and scatter-add (backward).

/// out[i, :] = table[ids[i], :]
public func embeddingForward(_ table: UnsafePointer<Float>, ids: UnsafePointer<Int32>, count: Int, dim: Int,
                             _ out: UnsafeMutablePointer<Float>) {
    for i in 0..<count { (out + i * dim).update(from: table + Int(ids[i]) * dim, count: dim) }
}

/// dtable[ids[i], :] += dout[i, :]
public func embeddingBackward(_ dout: UnsafePointer<Float>, ids: UnsafePointer<Int32>, count: Int, dim: Int,
                              _ dtable: UnsafeMutablePointer<Float>) {
    for i in 0..<count { axpy(1, dout + i * dim, dtable + Int(ids[i]) * dim, dim) }
}

/// The indices of the `k` largest of `n` values, largest first; ties go to the lower index.
/// k is small (the experts a token picks), so k passes over the row beat a sort.
public func topK(_ values: UnsafePointer<Float>, n: Int, k: Int, into indices: UnsafeMutablePointer<Int32>) {
    precondition(k <= n, "top-\(k) of \(n) values")
    for slot in 0..<k {
        var best = -1
        for j in 0..<n {
            var taken = false
            for s in 0..<slot where indices[s] == Int32(j) { taken = true; break }
            if taken { continue }
            if best < 0 || values[j] > values[best] { best = j }
        }
        indices[slot] = Int32(best)
    }
}
