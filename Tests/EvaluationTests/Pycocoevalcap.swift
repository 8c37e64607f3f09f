import Foundation

/// Runs pycocoevalcap itself (python3, and java for its tokenizer) to cross-check this module
/// on inputs the fixture does not cover. Tests using it are skipped when it is missing.
enum Pycocoevalcap {
    static let available: Bool = (try? run("import pycocoevalcap, subprocess; subprocess.run(['java', '-version'], check=True, capture_output=True)", input: Data())) != nil

    /// pycocoevalcap's PTBTokenizer over `captions`, in one call (one line each, in order).
    static func tokenize(_ captions: [String]) throws -> [String] {
        let script = """
        import json, sys
        from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
        caps = json.load(sys.stdin)
        out = PTBTokenizer().tokenize({str(i): [{'caption': c}] for i, c in enumerate(caps)})
        json.dump([out[str(i)][0] for i in range(len(caps))], sys.stdout)
        """
        let output = try run(script, input: JSONEncoder().encode(captions))
        return try JSONDecoder().decode([String].self, from: output)
    }

    /// pycocoevalcap's Bleu, Rouge and Cider on already tokenised captions.
    static func scores(candidates: [String], references: [[String]]) throws -> Scores {
        let script = """
        import json, sys
        from pycocoevalcap.bleu.bleu import Bleu
        from pycocoevalcap.rouge.rouge import Rouge
        from pycocoevalcap.cider.cider import Cider
        d = json.load(sys.stdin)
        res = {str(i): [c] for i, c in enumerate(d['candidates'])}
        gts = {str(i): r for i, r in enumerate(d['references'])}
        bleu, bleu_items = Bleu(4).compute_score(gts, res, verbose=0)
        rouge, rouge_items = Rouge().compute_score(gts, res)
        cider, cider_items = Cider().compute_score(gts, res)
        json.dump({'bleu': bleu, 'bleuItems': bleu_items, 'rouge': rouge, 'rougeItems': list(rouge_items),
                   'cider': cider, 'ciderItems': list(cider_items)}, sys.stdout)
        """
        struct Input: Encodable { let candidates: [String]; let references: [[String]] }
        let output = try run(script, input: JSONEncoder().encode(Input(candidates: candidates, references: references)))
        return try JSONDecoder().decode(Scores.self, from: output)
    }

    struct Scores: Decodable {
        let bleu: [Double], bleuItems: [[Double]], rouge: Double, rougeItems: [Double], cider: Double, ciderItems: [Double]
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    private static func run(_ script: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self).suffix(400))")
        }
        return output
    }
}
