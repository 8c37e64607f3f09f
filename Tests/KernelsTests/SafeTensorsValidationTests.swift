import Foundation
import Kernels
import Testing
import TestSupport

/// Each malformed file is built byte by byte here and must be refused with a one-line error
/// naming the file and the specific problem.
@Suite struct SafeTensorsValidationTests {
    /// A file whose 8-byte length prefix says `length` (the header's own length unless given),
    /// followed by `header` and `buffer`.
    private func corrupt(_ name: String, header: String, buffer: [UInt8] = [], length: UInt64? = nil,
                         in dir: TemporaryDirectory) throws -> URL {
        let headerBytes = Array(header.utf8)
        var bytes = withUnsafeBytes(of: (length ?? UInt64(headerBytes.count)).littleEndian) { Array($0) }
        bytes += headerBytes + buffer
        let url = dir.file(name)
        try Data(bytes).write(to: url)
        return url
    }

    private func expectRefusal(_ url: URL, _ problem: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SafeTensorsFile(contentsOf: url)
            Issue.record("\(url.lastPathComponent) was accepted; expected '\(problem)'", sourceLocation: sourceLocation)
        } catch {
            let text = "\(error)"
            #expect(text.contains(url.lastPathComponent) && text.contains(problem) && !text.contains("\n"),
                    "error '\(text)' should be one line naming \(url.lastPathComponent) and saying '\(problem)'",
                    sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [0, 5])
    func fileShorterThanTheLengthPrefixIsRefused(size: Int) throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("short-\(size).safetensors")
        try Data(repeating: 1, count: size).write(to: url)
        expectRefusal(url, "file is \(size) bytes, too short for the 8-byte header length")
    }

    @Test func headerLengthBeyondTheFileIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("long-header.safetensors", header: "{}", length: 1000, in: dir)
        expectRefusal(url, "header length 1000 is larger than the 2 bytes after it")
    }

    @Test func truncatedDataIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("truncated.safetensors",
                              header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#,
                              buffer: Array(repeating: 0, count: 10), in: dir)
        expectRefusal(url, "tensor 'w' data_offsets [0,16] run past the end of the 10-byte data buffer")
    }

    @Test func invalidJSONIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("not-json.safetensors", header: #"{"w":{"dtype":"F32","#, in: dir)
        expectRefusal(url, "header is not valid JSON")
    }

    @Test func headerThatIsNotAnObjectIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("array.safetensors", header: "[1, 2]", in: dir)
        expectRefusal(url, "header is not a JSON object")
    }

    @Test func unknownDTypeIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("dtype.safetensors", header: #"{"w":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}"#,
                              buffer: [0, 0, 0, 0], in: dir)
        expectRefusal(url, "tensor 'w' has unknown dtype 'F99'")
    }

    @Test func negativeShapeIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("shape.safetensors", header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
                              buffer: [0, 0, 0, 0], in: dir)
        expectRefusal(url, "tensor 'w' shape is not a list of non-negative integers")
    }

    @Test func offsetsPastTheBufferAreRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("range.safetensors",
                              header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                              buffer: Array(repeating: 0, count: 8), in: dir)
        expectRefusal(url, "tensor 'b' data_offsets [4,12] run past the end of the 8-byte data buffer")
    }

    @Test func overlappingOffsetsAreRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("overlap.safetensors",
                              header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                              buffer: Array(repeating: 0, count: 12), in: dir)
        expectRefusal(url, "tensor 'b' data_offsets [4,12] overlap tensor 'a', which ends at 8")
    }

    @Test func gapBetweenTensorsIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("gap.safetensors",
                              header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                              buffer: Array(repeating: 0, count: 12), in: dir)
        expectRefusal(url, "tensor 'b' data_offsets [8,12] leave a gap after byte 4 of the data buffer")
    }

    @Test func offsetsEndingBeforeTheyBeginAreRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("backwards.safetensors", header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#,
                              buffer: Array(repeating: 0, count: 4), in: dir)
        expectRefusal(url, "tensor 'a' data_offsets [4,0] end before they begin")
    }

    @Test func byteCountDisagreeingWithShapeIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("model.safetensors", header: #"{"x":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#,
                              buffer: Array(repeating: 0, count: 12), in: dir)
        expectRefusal(url, "tensor 'x' has 12 bytes but F32 [2,2] needs 16")
    }

    @Test func bytesAfterTheLastTensorAreRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("trailing.safetensors", header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                              buffer: Array(repeating: 0, count: 6), in: dir)
        expectRefusal(url, "tensors cover 4 bytes but the data buffer has 6")
    }

    @Test func nonStringMetadataIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = try corrupt("metadata.safetensors", header: #"{"__metadata__":{"step":12}}"#, in: dir)
        expectRefusal(url, "__metadata__ value for 'step' is not a string")
    }

    @Test func missingFileIsRefused() throws {
        let dir = try TemporaryDirectory()
        expectRefusal(dir.file("absent.safetensors"), "cannot open (No such file or directory)")
    }

    @Test func missingTensorIsNamedWithTheFile() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("some.safetensors")
        try SafeTensorsWriter.write([("present", Tensor(shape: [1], values: [1]))], to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.info("absent") == nil, "info of a missing tensor should be nil")
        for read in [{ _ = try file.tensor("absent") }, { _ = try file.int64s("absent") }] {
            let error = try #require(throws: SafeTensorsError.self) { try read() }
            #expect(error.description.contains("some.safetensors") && error.description.contains("no tensor named 'absent'"),
                    "error '\(error)' should name the file and the tensor")
        }
        let error = try #require(throws: SafeTensorsError.self) { _ = try file.int64s("present") }
        #expect(error.description.contains("tensor 'present' is F32, not I64 or I32"), "error '\(error)'")
    }
}
