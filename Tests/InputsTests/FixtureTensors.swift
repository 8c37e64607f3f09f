import Foundation

/// A minimal F32-only reader of a safetensors file (8-byte little-endian header length, JSON
/// header, raw buffer), enough for the PNG fixture.
// Stand-in until Kernels' `SafeTensorsFile` is merged; switch to it then.
struct FixtureTensors {
    struct Entry {
        let shape: [Int]
        let values: [Float]
    }

    let entries: [String: Entry]

    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as! [String: Any]
        let base = 8 + headerLength
        var entries: [String: Entry] = [:]
        for (name, info) in header where name != "__metadata__" {
            let info = info as! [String: Any]
            precondition(info["dtype"] as? String == "F32", "\(name): only F32 fixtures are read here")
            let offsets = info["data_offsets"] as! [Int]
            let bytes = data.subdata(in: (base + offsets[0])..<(base + offsets[1]))
            let values = bytes.withUnsafeBytes { raw in
                (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
            entries[name] = Entry(shape: info["shape"] as! [Int], values: values)
        }
        self.entries = entries
    }
}
