/// What both sides of the safetensors format share: element types and the error type.
///
/// A file is an 8-byte little-endian header length N, N bytes of JSON header naming each
/// tensor's dtype, shape and `data_offsets` (relative to the byte buffer after the header), and
/// the byte buffer, which the tensors must cover end to end with no gap or overlap.

/// The element types of the format, declared in increasing alignment order as the reference
/// (Rust) library declares them: writers lay tensors out by descending `rank`, then by name.
public enum DType: String, CaseIterable, Sendable {
    case BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .BOOL, .U8, .I8, .F8_E5M2, .F8_E4M3: return 1
        case .I16, .U16, .F16, .BF16: return 2
        case .I32, .U32, .F32: return 4
        case .C64, .F64, .I64, .U64: return 8
        }
    }

    /// Position in the reference library's ordering; larger goes first in the byte buffer.
    var rank: Int { DType.allCases.firstIndex(of: self)! }
}

/// A safetensors file that cannot be read or written, or a tensor it does not have.
/// `description` is one line: the file, then what is wrong with it.
public struct SafeTensorsError: Error, CustomStringConvertible {
    public let file: String
    public let problem: String

    public init(file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}

/// The exact way a dtype and shape are spelled in messages, e.g. `F32 [2,2]`.
func spelled(_ dtype: DType, _ shape: [Int]) -> String {
    "\(dtype.rawValue) [\(shape.map(String.init).joined(separator: ","))]"
}
