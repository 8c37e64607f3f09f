import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file; pages come in only when touched, so opening a large
/// checkpoint to read one tensor costs little. Unmapped when the last reference goes.
final class MappedFile: @unchecked Sendable {
    let path: String
    /// Nil for an empty file, which cannot be mapped.
    let base: UnsafeRawPointer?
    let count: Int

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SafeTensorsError(file: path, "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafeTensorsError(file: path, "cannot stat (\(String(cString: strerror(errno))))") }
        count = Int(info.st_size)
        if count == 0 { base = nil; return }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw SafeTensorsError(file: path, "cannot map \(count) bytes (\(String(cString: strerror(errno))))")
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }
}
