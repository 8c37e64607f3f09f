import Foundation
import Kernels

/// SHA-256 of every file under the generated parts of a data folder, by relative path, for
/// checking that two builds are byte-identical.
public struct FileDigests: Sendable, Equatable {
    /// Relative path → hex digest, for every regular file.
    public let digests: [String: String]

    /// Hashes every file under `root`'s `parts` (files or folders), on all cores.
    public init(root: URL, parts: [String] = DatasetBuilder.parts) throws {
        let fm = FileManager.default
        var paths: [String] = []
        for part in parts {
            var isDirectory: ObjCBool = false
            let url = root.appendingPathComponent(part)
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue { paths.append(part); continue }
            guard let walker = fm.enumerator(atPath: url.path) else { continue }
            for case let sub as String in walker {
                var dir: ObjCBool = false
                if fm.fileExists(atPath: url.appendingPathComponent(sub).path, isDirectory: &dir), !dir.boolValue {
                    paths.append(part + "/" + sub)
                }
            }
        }
        paths.sort()
        var hashes = [String?](repeating: nil, count: paths.count)
        hashes.withUnsafeMutableBufferPointer { out in
            parallelFor(paths.count, minimumPerChunk: 16) { range in
                for i in range {
                    out[i] = (try? Data(contentsOf: root.appendingPathComponent(paths[i]))).map(SHA256.hex)
                }
            }
        }
        var digests: [String: String] = [:]
        for (path, hash) in zip(paths, hashes) {
            guard let hash else { throw DatasetError("\(root.appendingPathComponent(path).path): cannot read") }
            digests[path] = hash
        }
        self.digests = digests
    }

    /// One digest for the whole set: SHA-256 over "path  digest" lines in path order.
    public var combined: String {
        SHA256.hex(Data(digests.keys.sorted().map { "\($0)  \(digests[$0]!)\n" }.joined().utf8))
    }

    /// Paths that are missing on one side or differ, sorted.
    public func differences(from other: FileDigests) -> [String] {
        Set(digests.keys).union(other.digests.keys).filter { digests[$0] != other.digests[$0] }.sorted()
    }
}
