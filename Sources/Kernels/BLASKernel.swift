import CBLAS
import Foundation

/// Which of OpenBLAS's kernel families runs the GEMMs.
///
/// Debian's OpenBLAS picks its kernels when the library loads, from the CPU model. A virtual
/// machine that hides the model (this project's 2-core VM reports "Intel(R) Xeon(R) Processor")
/// makes it fall back to its Prescott (SSE3) kernels, which run sgemm 5-6× slower than the
/// AVX-512 ones on the same cores (`moe-mm bench gemm`: 37 against 220 GFLOP/s at 2048³). The
/// choice is made before `main` runs and cannot be changed afterwards, so the remedy is
/// `OPENBLAS_CORETYPE` in the environment of a new process: `upgrade()` re-executes the
/// program with it when the CPU's features allow a better family than the one OpenBLAS took.
public enum BLASKernel {
    /// The family OpenBLAS is using, lower-case as OpenBLAS names it (e.g. "skylakex").
    public static var current: String { String(cString: openblas_get_corename()) }

    /// Whether the family has OpenBLAS's small-matrix GEMM kernels, which skip packing the
    /// operands (SkylakeX and the families that reuse its kernels).
    public static let multipliesSmallInPlace = ["skylakex", "cooperlake", "sapphirerapids"].contains(current.lowercased())

    /// The `OPENBLAS_CORETYPE` to ask for, when the CPU (its /proc/cpuinfo `flags`) supports a
    /// wider family than `current`; nil when OpenBLAS already uses the best one.
    public static func better(than current: String, cpuFlags: Set<String>) -> String? {
        let wanted: (name: String, level: Int)
        if cpuFlags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) {
            wanted = ("SkylakeX", 2)
        } else if cpuFlags.isSuperset(of: ["avx2", "fma"]) {
            wanted = ("Haswell", 1)
        } else {
            return nil
        }
        let level = ["skylakex": 2, "cooperlake": 2, "sapphirerapids": 2,
                     "haswell": 1, "zen": 1, "excavator": 1][current.lowercased()] ?? 0
        return level < wanted.level ? wanted.name : nil
    }

    /// The CPU's feature flags, from the first `flags` line of /proc/cpuinfo (empty elsewhere).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let line = cpuinfo?.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Re-executes this program with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to a family
    /// below what the CPU supports. Returns (changing nothing) when the variable is already set,
    /// when no better family exists, or when the exec fails; a successful exec does not return.
    public static func upgrade() {
        guard getenv("OPENBLAS_CORETYPE") == nil, let name = better(than: current, cpuFlags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", name, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")
    }
}
