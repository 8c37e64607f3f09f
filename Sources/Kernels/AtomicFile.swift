import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file replacement that never leaves a half-written file behind.
///
/// The bytes go to a temporary file in the target's directory (so the rename stays on one file
/// system), which is fsynced, renamed over the target, and then the directory is fsynced so the
/// rename itself survives a crash. A reader sees either the old file or the complete new one.
public enum AtomicFile {
    /// Replaces `url` with `data`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(contentsOf: data) }
    }

    /// Replaces `url` with whatever `body` writes to the handle, streamed, so a large file needs
    /// no second copy in memory. If `body` throws, the temporary file is removed and the target
    /// is left as it was.
    public static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws {
        let target = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: target, what: "cannot create a temporary file in \(directory)") }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
            try body(handle)
        } catch {
            close(fd)
            // Foundation's I/O errors do not say which file; the caller's own errors pass through.
            let ns = error as NSError
            if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
                throw AtomicFileError(path: target, what: "writing failed: \(ns.localizedDescription)", errno: nil)
            }
            throw error
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw AtomicFileError(path: target, what: "fsync of the temporary file failed", errno: code)
        }
        guard close(fd) == 0 else { throw AtomicFileError(path: target, what: "closing the temporary file failed") }
        guard rename(temporary, target) == 0 else { throw AtomicFileError(path: target, what: "cannot rename \(temporary) over it") }
        renamed = true

        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw AtomicFileError(path: target, what: "cannot open its directory to fsync it") }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw AtomicFileError(path: target, what: "fsync of its directory failed") }
    }
}

/// A failed atomic write: the target path, what went wrong, and the system's reason.
public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let what: String
    public let reason: String?

    init(path: String, what: String, errno code: Int32? = errno) {
        self.path = path
        self.what = what
        reason = code.map { String(cString: strerror($0)) }
    }

    public var description: String { "\(path): \(what)" + (reason.map { " (\($0))" } ?? "") }
}
