import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes `data` to `url` so that a crash leaves either the old file or the complete new one:
/// a temporary file beside it, fsync, rename over the target, fsync of the directory.
// Kernels is getting a shared `AtomicFile.write(_:to:)`; this helper goes once that lands.
func writeAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp")
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw SystemCallError.current("create \(temporary.path)") }
    var renamed = false
    defer { if !renamed { unlink(temporary.path) } }
    do {
        defer { close(fd) }
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SystemCallError.current("write \(temporary.path)")
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw SystemCallError.current("fsync \(temporary.path)") }
    }
    guard rename(temporary.path, url.path) == 0 else { throw SystemCallError.current("rename to \(url.path)") }
    renamed = true
    let dirfd = open(directory.path, O_RDONLY)
    if dirfd >= 0 { _ = fsync(dirfd); close(dirfd) }
}

/// A failed system call: which step, and `strerror(errno)` at the time.
private struct SystemCallError: Error, CustomStringConvertible {
    let description: String
    static func current(_ step: String) -> SystemCallError {
        SystemCallError(description: "\(step): \(String(cString: strerror(errno)))")
    }
}
