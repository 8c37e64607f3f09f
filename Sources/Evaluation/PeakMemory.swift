#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's peak resident memory so far, from `getrusage`'s `ru_maxrss`.
public enum PeakMemory {
    /// In MiB; a high-water mark, so it never decreases during a run.
    public static var mebibytes: Double {
        var usage = rusage()
        #if os(Linux)
        // Glibc imports RUSAGE_SELF as an enum case, the function takes its raw value.
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return .nan }
        return Double(usage.ru_maxrss) / 1024          // kibibytes on Linux
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return .nan }
        return Double(usage.ru_maxrss) / 1_048_576     // bytes on Darwin
        #endif
    }
}
