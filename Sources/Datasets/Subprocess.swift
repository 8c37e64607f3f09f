import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and collects its output, with posix_spawn and a blocking waitpid on its pid.
///
/// Foundation's `Process` is not used: with several processes started from different threads it
/// can miss a child's exit (the child stays a zombie and the caller waits forever), and its
/// `waitUntilExit` polls every 50 ms, several times what an espeak-ng clip takes.
enum Subprocess {
    struct Output {
        let status: Int32
        let stdout: Data
        let stderr: Data
    }

    /// Held from making the pipes to the spawn: pipes are marked close-on-exec right after they
    /// are made, and a child spawned from another thread in between would inherit them and keep
    /// them open (pipe2 with O_CLOEXEC is not visible from Swift's Glibc module).
    private static let spawnLock = NSLock()

    static func run(_ executable: URL, _ arguments: [String]) throws -> Output {
        spawnLock.lock()
        var locked = true
        defer { if locked { spawnLock.unlock() } }
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw failure("pipe") }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw failure("pipe")
        }
        defer { close(outPipe[0]); close(errPipe[0]) }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        spawnLock.unlock()
        locked = false
        guard spawned == 0 else { throw DatasetError("\(executable.path): cannot start (\(String(cString: strerror(spawned))))") }

        let (stdout, stderr) = readBoth(outPipe[0], errPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw failure("waitpid") }
        }
        // WIFEXITED / WEXITSTATUS; a signal shows as 128 + its number, as shells report it.
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: code, stdout: stdout, stderr: stderr)
    }

    /// Drains two pipes to their ends with poll, so a child filling one cannot block on the other.
    static func readBoth(_ a: Int32, _ b: Int32) -> (Data, Data) {
        var outputs = [Data(), Data()]
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var open = 2
        while open > 0 {
            guard poll(&fds, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = read(fds[i].fd, &buffer, buffer.count)
                if n > 0 {
                    outputs[i].append(contentsOf: buffer[0..<n])
                } else if n == 0 || errno != EINTR {
                    fds[i].fd = -1
                    open -= 1
                }
            }
        }
        return (outputs[0], outputs[1])
    }

    static func failure(_ call: String) -> DatasetError {
        DatasetError("\(call) failed: \(String(cString: strerror(errno)))")
    }
}
