import Foundation
import Kernels
import Testing

// OpenBLAS's thread count is process-global and other suites run concurrently, so these tests check
// where the chunks run, not the count itself: an inline chunk is one that never touches it.
@Suite struct ParallelTests {
    struct Chunk: Equatable { let range: Range<Int>; let onCaller: Bool }

    func chunks(of n: Int) -> [Chunk] {
        let caller = pthread_self(), lock = NSLock()
        var seen: [Chunk] = []
        parallelFor(n) { range in
            let chunk = Chunk(range: range, onCaller: pthread_equal(pthread_self(), caller) != 0)
            lock.lock(); seen.append(chunk); lock.unlock()
        }
        return seen.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    @Test func aBackgroundThreadRunsItsLoopsInline() {
        let seen = withoutParallelism { chunks(of: 1000) }
        #expect(seen == [Chunk(range: 0..<1000, onCaller: true)], "withoutParallelism: expected one inline chunk, saw \(seen)")
        let afterwards = chunks(of: 1000)
        #expect(afterwards.count == min(Cores.count, 1000), "after withoutParallelism: \(afterwards.count) chunks, expected \(min(Cores.count, 1000))")
    }

    @Test func chunksTileTheRange() {
        let seen = chunks(of: 1001)
        #expect(seen.count == min(Cores.count, 1001), "expected \(min(Cores.count, 1001)) chunks, saw \(seen.count)")
        #expect(seen.first?.range.lowerBound == 0 && seen.last?.range.upperBound == 1001
                && zip(seen, seen.dropFirst()).allSatisfy { $0.range.upperBound == $1.range.lowerBound },
                "chunks \(seen.map(\.range)) do not tile 0..<1001")
    }
}

extension ParallelTests {
    func chunks(of ranges: [Range<Int>]) -> [Chunk] {
        let caller = pthread_self(), lock = NSLock()
        var seen: [Chunk] = []
        parallelFor(ranges: ranges) { range in
            let chunk = Chunk(range: range, onCaller: pthread_equal(pthread_self(), caller) != 0)
            lock.lock(); seen.append(chunk); lock.unlock()
        }
        return seen.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    @Test func givenRangesRunOnceEachAndEmptyOnesNotAtAll() {
        let seen = chunks(of: [0..<3, 3..<3, 3..<10])
        #expect(seen.map(\.range) == [0..<3, 3..<10], "ranges run: \(seen.map(\.range)), expected [0..<3, 3..<10]")
        let inline = withoutParallelism { chunks(of: [0..<3, 3..<10]) }
        #expect(inline == [Chunk(range: 0..<3, onCaller: true), Chunk(range: 3..<10, onCaller: true)],
                "inside withoutParallelism the ranges should run one after the other on the caller, saw \(inline)")
    }
}
