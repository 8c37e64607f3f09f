/// The BPE model over byte-level words: the byte alphabet's ids, the merge ranks, and the merge
/// loop for one word. Merging follows Hugging Face's order (lowest rank first, leftmost on a
/// tie) with a linked list of symbols and a heap of candidate pairs, so a long word costs
/// O(n log n) rather than a rescan of the whole word per merge.
struct BPEModel {
    /// The id of each byte's character, or -1 if the vocabulary lacks it.
    let byteIDs: [Int32]
    let merges: MergeTable
    /// What a byte without an id becomes (nil: it is dropped, as Hugging Face does).
    let unkID: Int32?
    let fuseUnk: Bool
    /// With `ignore_merges`, a word that is itself in the vocabulary is taken whole.
    let wholeWords: [String: Int32]?

    init(file: TokenizerFile) {
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(file.vocab.count)
        for (token, id) in file.vocab { ids[token] = Int32(id) }
        byteIDs = ByteLevel.characters.map { ids[String($0)] ?? -1 }
        var table = MergeTable(capacity: file.merges.count)
        // A pair listed twice keeps its later rank, as Hugging Face's merge map does.
        for (rank, (left, right)) in file.merges.enumerated() {
            table.insert(left: ids[left]!, right: ids[right]!, rank: UInt32(rank), result: ids[left + right]!)
        }
        merges = table
        unkID = file.unkToken.map { ids[$0]! }
        fuseUnk = file.fuseUnk
        wholeWords = file.ignoreMerges ? ids : nil
    }

    /// Appends the ids of one pre-tokenized word (its raw bytes) to `out`.
    func encodeWord(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32], scratch: inout MergeScratch) {
        if let wholeWords, let id = wholeWords[ByteLevel.encode(word)] {
            out.append(id)
            return
        }
        var symbols = scratch.symbols
        symbols.removeAll(keepingCapacity: true)
        var pendingUnk = false
        for byte in word {
            let id = byteIDs[Int(byte)]
            if id >= 0 {
                if pendingUnk { symbols.append(unkID!); pendingUnk = false }
                symbols.append(id)
            } else if let unk = unkID {
                if pendingUnk && !fuseUnk { symbols.append(unk) }
                pendingUnk = true
            }
        }
        if pendingUnk { symbols.append(unkID!) }
        if symbols.count > 1 { merge(&symbols, scratch: &scratch) }
        out.append(contentsOf: symbols)
        scratch.symbols = symbols
    }

    /// Applies the merges to `symbols` in place.
    private func merge(_ symbols: inout [Int32], scratch: inout MergeScratch) {
        let n = symbols.count
        var next = scratch.next, prev = scratch.prev, heap = scratch.heap
        next.removeAll(keepingCapacity: true)
        prev.removeAll(keepingCapacity: true)
        heap.removeAll()
        for i in 0..<n {
            next.append(Int32(i + 1 < n ? i + 1 : -1))
            prev.append(Int32(i - 1))
        }
        for i in 0..<(n - 1) {
            if let (rank, _) = merges.lookup(symbols[i], symbols[i + 1]) { heap.push(rank: rank, position: i) }
        }
        // A removed symbol is marked -1. An entry whose pair has changed since it was pushed
        // is stale and skipped: a rank names exactly one pair.
        while let (rank, pos) = heap.pop() {
            let right = Int(next[pos])
            guard symbols[pos] >= 0, right >= 0,
                  let (currentRank, result) = merges.lookup(symbols[pos], symbols[right]), currentRank == rank else { continue }
            symbols[pos] = result
            symbols[right] = -1
            let after = Int(next[right])
            next[pos] = Int32(after)
            if after >= 0 { prev[after] = Int32(pos) }
            let before = Int(prev[pos])
            if before >= 0, let (r, _) = merges.lookup(symbols[before], result) { heap.push(rank: r, position: before) }
            if after >= 0, let (r, _) = merges.lookup(result, symbols[after]) { heap.push(rank: r, position: pos) }
        }
        var kept = 0
        for i in 0..<n where symbols[i] >= 0 {
            symbols[kept] = symbols[i]
            kept += 1
        }
        symbols.removeLast(n - kept)
        scratch.next = next
        scratch.prev = prev
        scratch.heap = heap
    }
}

/// Buffers reused from word to word, so the merge loop allocates nothing once warm.
struct MergeScratch {
    var symbols: [Int32] = []
    var next: [Int32] = []
    var prev: [Int32] = []
    var heap = PairHeap()
}

/// Pair of ids → (rank, merged id), open addressing on the packed pair. Much faster than a
/// Dictionary here because the key is one integer and the hash a multiply.
struct MergeTable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: Self.empty, count: size)
        values = Array(repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask }

    mutating func insert(left: Int32, right: Int32, rank: UInt32, result: Int32) {
        let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
        var i = slot(key)
        while keys[i] != Self.empty && keys[i] != key { i = (i + 1) & mask }
        keys[i] = key
        values[i] = UInt64(rank) << 32 | UInt64(UInt32(result))
    }

    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: UInt32, result: Int32)? {
        let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return (UInt32(values[i] >> 32), Int32(truncatingIfNeeded: values[i])) }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }
}

/// A binary min-heap of (rank, position) packed as rank << 32 | position, so the order is
/// rank first and position (leftmost) second.
struct PairHeap {
    private var items: [UInt64] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    @inline(__always)
    mutating func push(rank: UInt32, position: Int) {
        items.append(UInt64(rank) << 32 | UInt64(position))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    @inline(__always)
    mutating func pop() -> (rank: UInt32, position: Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            let count = items.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < count && items[l] < items[m] { m = l }
                if r < count && items[r] < items[m] { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return (UInt32(top >> 32), Int(top & 0xFFFF_FFFF))
    }
}
