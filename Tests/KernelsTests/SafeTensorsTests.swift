import Foundation
import Kernels
import Testing
import TestSupport

@Suite struct SafeTensorsTests {
    /// numpy's dtype names, as `interop.json` spells them, to safetensors' names.
    static let numpyDType: [String: DType] = ["float32": .F32, "float16": .F16, "bfloat16": .BF16, "int64": .I64]

    @Test func interopFixtureMatchesWhatPythonWrote() throws {
        let file = try SafeTensorsFile(contentsOf: Fixtures.url("interop.safetensors"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("interop.json"))) as! [String: [String: Any]]
        #expect(Set(file.names) == Set(json.keys), "tensor names \(file.names.sorted()) vs interop.json \(json.keys.sorted())")
        #expect(!file.metadata.isEmpty, "the fixture carries __metadata__ but none was read")
        for (name, expected) in json {
            let dtype = try #require(Self.numpyDType[expected["dtype"] as! String], "\(name): unmapped dtype \(expected["dtype"]!)")
            let shape = expected["shape"] as! [Int]
            let info = try #require(file.info(name), "\(name) missing from the file")
            #expect(info.dtype == dtype && info.shape == shape, "\(name): read \(info.dtype) \(info.shape), expected \(dtype) \(shape)")
            let values = (expected["values_as_f32"] as! [Double]).map(Float.init)
            let tensor = try file.tensor(name)
            #expect(tensor.shape == shape, "\(name): tensor shape \(tensor.shape), expected \(shape)")
            let r = closeness(tensor.array, values, rtol: 0, atol: 0, name)
            #expect(r.ok, "\(r.message)")
            if dtype == .I64 {
                let ints = try file.int64s(name)
                #expect(ints.map(Float.init) == values, "\(name): int64s \(ints), expected \(values)")
            }
        }
    }

    @Test func writtenTensorsReadBackBitForBitIncludingScalarAndEmpty() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("round.safetensors")
        let odd: [Float] = [1.5, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -3]
        let tensors: [(name: String, tensor: Tensor)] = [
            ("weights", Tensor(shape: [2, 4], values: odd)),
            ("scalar", Tensor(shape: [], values: [42.25])),
            ("empty", Tensor(zeros: [0, 4])),
            ("empty.trailing", Tensor(zeros: [3, 0])),
            ("vector", Tensor(shape: [3], values: [1, 2, 3])),
        ]
        let metadata = ["step": "1200", "note": "quote \" backslash \\ newline \n tab \t bell \u{7} é 模型"]
        try SafeTensorsWriter.write(entries: tensors.map { ($0.name, .f32($0.tensor)) }
                                        + [("ids", .i64([7, -1, Int64.max, Int64.min, 0, 3], shape: [2, 3])),
                                           ("no.ids", .i64([], shape: [0]))],
                                    metadata: metadata, to: url)

        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.metadata == metadata, "metadata read back as \(file.metadata)")
        for (name, t) in tensors {
            let back = try file.tensor(name)
            #expect(file.info(name)! == (DType.F32, t.shape), "\(name): info \(String(describing: file.info(name)))")
            #expect(back.shape == t.shape, "\(name): shape \(back.shape), wrote \(t.shape)")
            #expect(back.array.map(\.bitPattern) == t.array.map(\.bitPattern), "\(name): read \(back.array), wrote \(t.array)")
        }
        let ids = try file.int64s("ids")
        #expect(ids == [7, -1, Int64.max, Int64.min, 0, 3], "ids read back as \(ids)")
        #expect(file.info("ids")! == (DType.I64, [2, 3]), "ids info \(String(describing: file.info("ids")))")
        #expect(try file.int64s("no.ids") == [], "no.ids should be empty")

        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0, "header length \(headerLength) leaves the data buffer unaligned")
    }

    @Test func layoutFollowsReferenceOrderWhateverTheInputOrder() throws {
        let dir = try TemporaryDirectory()
        let entries: [(name: String, entry: SafeTensorsEntry)] = [
            ("b", .f32(Tensor(shape: [2], values: [1, 2]))),
            ("z.ids", .i64([1], shape: [1])),
            ("a", .f32(Tensor(shape: [1], values: [3]))),
            ("c.ids", .i64([2, 3], shape: [2])),
        ]
        try SafeTensorsWriter.write(entries: entries, metadata: ["k": "v", "a": "b"], to: dir.file("one.safetensors"))
        try SafeTensorsWriter.write(entries: entries.reversed(), metadata: ["a": "b", "k": "v"], to: dir.file("two.safetensors"))
        let one = try Data(contentsOf: dir.file("one.safetensors")), two = try Data(contentsOf: dir.file("two.safetensors"))
        #expect(one == two, "same tensors in another order gave different bytes (\(one.count) vs \(two.count))")
        // The reference library puts wider dtypes first (I64 before F32), then sorts by name.
        let names = try SafeTensorsFile(contentsOf: dir.file("one.safetensors")).names
        #expect(names == ["c.ids", "z.ids", "a", "b"], "buffer order \(names)")
    }

    @Test func writerRefusesBadEntriesAndLeavesNoFile() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("bad.safetensors")
        let one = Tensor(shape: [1], values: [1])
        let cases: [([(name: String, entry: SafeTensorsEntry)], String)] = [
            ([("x", .f32(one)), ("x", .f32(one))], "tensor 'x' is given twice"),
            ([("ids", .i64([1, 2, 3], shape: [2, 2]))], "tensor 'ids' has 3 values but shape [2, 2]"),
            ([("__metadata__", .f32(one))], "'__metadata__' cannot name a tensor"),
        ]
        for (entries, problem) in cases {
            let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsWriter.write(entries: entries, to: url) }
            #expect(error.description.contains("bad.safetensors") && error.description.contains(problem),
                    "error '\(error)' should name the file and say '\(problem)'")
        }
        #expect(dir.contents.isEmpty, "refused writes left files behind: \(dir.contents)")
    }

    // MARK: - Python interop (skipped when python3 with numpy and safetensors is missing; CI installs them)

    @Test(.enabled(if: Python.available, "python3 with numpy and safetensors is not installed"))
    func pythonLoadsWhatSwiftWritesAndRewritesTheSameBytes() throws {
        let dir = try TemporaryDirectory()
        let ours = dir.file("swift.safetensors"), theirs = dir.file("python.safetensors")
        let weights = Tensor(shape: [3, 5], values: (0..<15).map { Float($0) * 0.37 - 2 })
        try SafeTensorsWriter.write(
            entries: [("layer.0.weight", .f32(weights)), ("scalar", .f32(Tensor(shape: [], values: [-7.5]))),
                      ("empty", .f32(Tensor(zeros: [0, 3]))), ("ids", .i64([5, -9, 1 << 40], shape: [3]))],
            metadata: ["format": "np"], to: ours)  // one key: the reference writer orders several at random
        let script = """
            import json, sys
            from safetensors import safe_open
            from safetensors.numpy import load_file, save_file
            tensors = load_file(sys.argv[1])
            with safe_open(sys.argv[1], framework="np") as f:
                metadata = f.metadata()
            save_file(tensors, sys.argv[2], metadata=metadata)
            print(json.dumps({"metadata": metadata, "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape),
                "values": v.ravel().tolist()} for k, v in tensors.items()}}))
            """
        let result = try Python.run(script, [ours.path, theirs.path])
        try #require(result.status == 0, "python failed: \(result.err)")
        let loaded = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [String: Any]
        #expect(loaded["metadata"] as? [String: String] == ["format": "np"], "python read metadata \(loaded["metadata"]!)")
        let seen = loaded["tensors"] as! [String: [String: Any]]
        // Compared as Float: Foundation's JSON parser may be off in a double's last digit.
        let expected: [String: (String, [Int], [Float])] = [
            "layer.0.weight": ("float32", [3, 5], weights.array),
            "scalar": ("float32", [], [-7.5]),
            "empty": ("float32", [0, 3], []),
            "ids": ("int64", [3], [5, -9, Float(1 << 40)]),
        ]
        #expect(Set(seen.keys) == Set(expected.keys), "python saw tensors \(seen.keys.sorted())")
        for (name, (dtype, shape, values)) in expected {
            let got = try #require(seen[name], "python did not load \(name)")
            #expect(got["dtype"] as? String == dtype && got["shape"] as? [Int] == shape,
                    "\(name): python read \(got["dtype"]!) \(got["shape"]!), expected \(dtype) \(shape)")
            #expect((got["values"] as! [Any]).map { Float(($0 as! NSNumber).doubleValue) } == values, "\(name): python read \(got["values"]!), expected \(values)")
        }
        // The reference writer, given the same tensors and metadata, produces the very same file.
        let ourBytes = try Data(contentsOf: ours), theirBytes = try Data(contentsOf: theirs)
        #expect(ourBytes == theirBytes, "python re-saved \(theirBytes.count) bytes that differ from our \(ourBytes.count): \(String(decoding: theirBytes.prefix(300), as: UTF8.self))")
    }

    @Test(.enabled(if: Python.available, "python3 with numpy and safetensors is not installed"))
    func swiftReadsWhatPythonWrites() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("from-python.safetensors")
        let script = """
            import json, sys
            import numpy as np
            from safetensors.numpy import save_file
            rng = np.random.default_rng(3)
            tensors = {
                "f32": rng.standard_normal((4, 3)).astype(np.float32),
                "f16": rng.standard_normal((5,)).astype(np.float16),
                "f64": rng.standard_normal((2, 2)),
                "i64": np.arange(-3, 3, dtype=np.int64).reshape(3, 2),
                "i32": np.array([[-70000, 12]], dtype=np.int32),
                "scalar": np.array(2.5, dtype=np.float32),
                "empty": np.zeros((2, 0), dtype=np.float32),
            }
            save_file(tensors, sys.argv[1], metadata={"writer": "numpy", "n": str(len(tensors))})
            print(json.dumps({k: {"shape": list(v.shape), "values": v.astype(np.float32).ravel().tolist()} for k, v in tensors.items()}))
            """
        let result = try Python.run(script, [url.path])
        try #require(result.status == 0, "python failed: \(result.err)")
        let expected = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [String: [String: Any]]
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.metadata == ["writer": "numpy", "n": "7"], "metadata \(file.metadata)")
        #expect(Set(file.names) == Set(expected.keys), "names \(file.names.sorted())")
        for (name, e) in expected {
            let tensor = try file.tensor(name)
            #expect(tensor.shape == e["shape"] as! [Int], "\(name): shape \(tensor.shape), python wrote \(e["shape"]!)")
            let values = (e["values"] as! [Any]).map { Float(($0 as! NSNumber).doubleValue) }
            let r = closeness(tensor.array, values, rtol: 0, atol: 0, name)
            #expect(r.ok, "\(r.message)")
        }
        let i64 = try file.int64s("i64"), i32 = try file.int64s("i32")
        #expect(i64 == Array(-3..<3), "i64 as integers: \(i64)")
        #expect(i32 == [-70000, 12], "i32 as integers: \(i32)")
    }

    @Test(.enabled(if: Python.available, "python3 with numpy and safetensors is not installed"))
    func fixtureMetadataMatchesPython() throws {
        let path = Fixtures.url("interop.safetensors").path
        let result = try Python.run("""
            import json, sys
            from safetensors import safe_open
            with safe_open(sys.argv[1], framework="np") as f:
                print(json.dumps({"metadata": f.metadata(), "order": list(f.keys())}))
            """, [path])
        try #require(result.status == 0, "python failed: \(result.err)")
        let python = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [String: Any]
        let file = try SafeTensorsFile(contentsOf: Fixtures.url("interop.safetensors"))
        #expect(file.metadata == python["metadata"] as? [String: String], "metadata \(file.metadata), python \(python["metadata"]!)")
        #expect(Set(file.names) == Set(python["order"] as! [String]), "names \(file.names), python \(python["order"]!)")
    }
}
