import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces `url` with `data` so a crash leaves the old file or the whole new one: temporary
/// file beside it, fsync, rename, fsync of the directory.
// Kernels is getting a shared `AtomicFile.write(_:to:)` (safetensors branch); switch to it once merged.
func writeTokenizerAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
    func failure(_ what: String) -> TokenizerError {
        TokenizerError("\(url.path): \(what) (\(String(cString: strerror(errno))))")
    }
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("cannot create a temporary file in \(directory.path)") }
    var renamed = false
    defer { if !renamed { unlink(temporary.path) } }
    let written = data.withUnsafeBytes { raw -> Bool in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
    guard written, fsync(fd) == 0 else {
        let error = failure("writing the temporary file failed")
        close(fd)
        throw error
    }
    guard close(fd) == 0 else { throw failure("closing the temporary file failed") }
    guard rename(temporary.path, url.path) == 0 else { throw failure("cannot rename the temporary file over it") }
    renamed = true
    let dirFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dirFD >= 0 {
        _ = fsync(dirFD)
        close(dirFD)
    }
}
