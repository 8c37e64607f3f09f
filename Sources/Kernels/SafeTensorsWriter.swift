import Foundation

/// One tensor to store: Float values as F32, or integers (token ids, counts) as I64.
public enum SafeTensorsEntry {
    case f32(Tensor)
    case i64([Int64], shape: [Int])

    var dtype: DType {
        switch self {
        case .f32: return .F32
        case .i64: return .I64
        }
    }

    var shape: [Int] {
        switch self {
        case .f32(let t): return t.shape
        case .i64(_, let shape): return shape
        }
    }

    var byteCount: Int {
        switch self {
        case .f32(let t): return t.count * 4
        case .i64(let values, _): return values.count * 8
        }
    }
}

/// Writes safetensors files the reference library reads, atomically (see `AtomicFile`).
///
/// The layout is the reference library's: tensors by descending dtype alignment, then by name,
/// so the same tensors always give the same bytes; metadata keys are sorted for the same reason.
/// The header is padded with spaces so the data buffer starts 8-byte aligned.
public enum SafeTensorsWriter {
    /// Stores Float tensors as F32.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to url: URL) throws {
        try write(entries: tensors.map { ($0.name, SafeTensorsEntry.f32($0.tensor)) }, metadata: metadata, to: url)
    }

    /// Stores a mix of F32 and I64 tensors.
    public static func write(entries: [(name: String, entry: SafeTensorsEntry)], metadata: [String: String] = [:],
                             to url: URL) throws {
        let ordered = try layout(entries, file: url.path)
        let header = headerBytes(ordered, metadata: metadata)
        try AtomicFile.write(to: url) { handle in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try handle.write(contentsOf: $0) }
            try handle.write(contentsOf: header)
            for (_, entry) in ordered {
                switch entry {
                case .f32(let t):
                    try writeChunked(handle, UnsafeRawBufferPointer(start: t.data, count: entry.byteCount))
                case .i64(let values, _):
                    try values.withUnsafeBytes { try writeChunked(handle, $0) }
                }
            }
        }
    }

    /// Checks the entries and puts them in the reference library's order.
    static func layout(_ entries: [(name: String, entry: SafeTensorsEntry)], file: String) throws
        -> [(name: String, entry: SafeTensorsEntry)]
    {
        var seen = Set<String>()
        for (name, entry) in entries {
            guard name != "__metadata__" else { throw SafeTensorsError(file: file, "'__metadata__' cannot name a tensor") }
            guard seen.insert(name).inserted else { throw SafeTensorsError(file: file, "tensor '\(name)' is given twice") }
            if case .i64(let values, let shape) = entry {
                guard shape.allSatisfy({ $0 >= 0 }), values.count == shape.reduce(1, *) else {
                    throw SafeTensorsError(file: file, "tensor '\(name)' has \(values.count) values but shape \(shape)")
                }
            }
        }
        return entries.sorted { a, b in
            a.entry.dtype.rank != b.entry.dtype.rank ? a.entry.dtype.rank > b.entry.dtype.rank : a.name < b.name
        }
    }

    /// The compact JSON header, `__metadata__` first, space-padded to a multiple of 8 bytes.
    static func headerBytes(_ ordered: [(name: String, entry: SafeTensorsEntry)], metadata: [String: String]) -> Data {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonStringLiteral($0.key)):\(jsonStringLiteral($0.value))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, entry) in ordered {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            let end = offset + entry.byteCount
            fields.append("\(jsonStringLiteral(name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var bytes = Array("{\(fields.joined(separator: ","))}".utf8)
        bytes += repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8)
        return Data(bytes)
    }
}

/// Writes in pieces: one `write` call on Linux moves at most about 2 GiB.
private func writeChunked(_ handle: FileHandle, _ bytes: UnsafeRawBufferPointer) throws {
    let chunk = 1 << 26
    var start = 0
    while start < bytes.count {
        let end = min(start + chunk, bytes.count)
        try handle.write(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        start = end
    }
}

