import Kernels
import Testing

@Suite struct BLASKernelTests {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
    let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

    @Test func fallbackKernelsAreUpgradedToTheWidestTheCPUSupports() {
        let cases: [(current: String, flags: Set<String>, expected: String?)] = [
            ("Prescott", avx512, "SkylakeX"), ("prescott", avx2, "Haswell"), ("haswell", avx512, "SkylakeX"),
            ("sandybridge", avx2, "Haswell"), ("prescott", ["sse3", "avx"], nil),
            ("skylakex", avx512, nil), ("cooperlake", avx512, nil), ("haswell", avx2, nil), ("zen", avx2, nil),
            // AVX-512 needs all five subsets SkylakeX's kernels use.
            ("haswell", avx2.union(["avx512f"]), nil),
        ]
        for c in cases {
            let got = BLASKernel.better(than: c.current, cpuFlags: c.flags)
            #expect(got == c.expected, "OpenBLAS on \(c.current) with \(c.flags.sorted()): asked for \(got ?? "nothing"), expected \(c.expected ?? "nothing")")
        }
    }

    @Test func cpuFlagsComeFromTheFirstFlagsLine() {
        let cpuinfo = """
            processor\t: 0
            model name\t: Intel(R) Xeon(R) Processor
            flags\t\t: fpu sse3 avx2 fma avx512f
            processor\t: 1
            flags\t\t: fpu
            """
        #expect(BLASKernel.cpuFlags(cpuinfo: cpuinfo) == ["fpu", "sse3", "avx2", "fma", "avx512f"])
        #expect(BLASKernel.cpuFlags(cpuinfo: "processor\t: 0\n").isEmpty)
        #expect(BLASKernel.cpuFlags(cpuinfo: nil).isEmpty)
    }
}
