import ArgumentParser
import Datasets
import Dispatch
import Foundation

/// `moe-mm data`: named DataCommand so that it does not shadow Foundation's `Data` in this module.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Build the bundled datasets, or check a manifest.",
        subcommands: [DataBuild.self, DataCheck.self, DataSamples.self])
}

/// Options shared by `data build` and `data samples`.
struct DataSource: ParsableArguments {
    @Option(help: "Seed for every random choice; the same seed gives byte-identical files.")
    var seed: UInt64 = 0

    @Option(help: "tiny (100 objects, ~19k scenes; a few minutes) or full (every concrete object, ~60k scenes).")
    var size: BuildOptions.Size = .tiny

    @Option(help: "Vocabulary size (default: 100 for tiny, every concrete object for full).")
    var objects: Int?

    @Option(help: "Emoji artwork folder (default: <out>/assets/emoji).")
    var assets: String?

    func buildOptions() throws -> BuildOptions {
        var options = BuildOptions.preset(size, seed: seed)
        if let objects { options.objectCount = objects }
        try options.validate()
        return options
    }

    func assetsURL(out: URL) -> URL {
        assets.map { URL(fileURLWithPath: $0) } ?? out.appendingPathComponent("assets/emoji")
    }
}

extension BuildOptions.Size: ExpressibleByArgument {}

struct DataBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Make the scene, speech, audio-visual question and text datasets and the benchmark suites.",
        discussion: """
            Writes <out>/scenes, speech, avqa, text, benchmarks and build.json (see data/README.md). \
            Each part is built in <out>/.staging and moved into place at the end, so a failed build \
            leaves the previous data as it was. Needs espeak-ng for speech.

            Examples:
              moe-mm data build
              moe-mm data build --size full --seed 1
              moe-mm data build --verify     # build twice and compare every file's SHA-256
            """)

    @Option(help: "Output folder.")
    var out = "data"

    @OptionGroup var source: DataSource

    @Flag(help: "Build a second time into a temporary folder and fail unless every file is byte-identical.")
    var verify = false

    func validate() throws {
        do { _ = try source.buildOptions() } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        let builder = try DatasetBuilder(options: source.buildOptions(), assets: source.assetsURL(out: outURL),
                                         log: { print($0) })
        print("vocabulary: \(builder.objects.count) objects")
        let start = DispatchTime.now().uptimeNanoseconds
        let counts = try builder.build(into: outURL)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        for (name, n) in counts.sorted(by: { $0.key < $1.key }) { print("  \(name): \(n)") }
        let digests = try FileDigests(root: outURL)
        print(String(format: "built %d files in %.1f s into %@; digest %@", digests.digests.count, seconds, out,
                     digests.combined))
        if verify { try verifyAgainst(digests, builder: builder) }
    }

    func verifyAgainst(_ first: FileDigests, builder: DatasetBuilder) throws {
        let temp = FileManager.default.temporaryDirectory
            .appendingPathComponent("moe-mm-verify-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: temp) }
        print("verify: building again into \(temp.path)")
        try builder.build(into: temp)
        let second = try FileDigests(root: temp)
        let differing = first.differences(from: second)
        guard differing.isEmpty else {
            for path in differing.prefix(10) { print("  differs: \(path)") }
            throw ValidationError("verify failed: \(differing.count) of \(first.digests.count) files differ between two builds")
        }
        print("verify: all \(first.digests.count) files identical (digest \(second.combined))")
    }
}

struct DataCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a manifest: every line, field and file (images and audio are decoded).",
        discussion: """
            Reads JSONL or LLaVA-style JSON, reports every problem with its line number, prints \
            counts per task and input, image sizes and audio durations, and exits non-zero if \
            anything is wrong.

            Example:
              moe-mm data check data/scenes/train.jsonl
            """)

    @Argument(help: "Manifest files (.jsonl or .json).")
    var manifests: [String]

    func run() throws {
        var bad = 0
        for path in manifests {
            let check = ManifestCheck(URL(fileURLWithPath: path))
            for problem in check.problems { print(problem) }
            print(check.summary)
            bad += check.problems.count
        }
        if bad > 0 { throw ExitCode.failure }
    }
}

struct DataSamples: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samples",
        abstract: "Write a few example scenes and spoken clips (for the README) with samples.jsonl.")

    @Option(help: "Output folder.")
    var out = "data/samples"

    @OptionGroup var source: DataSource

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        let dataRoot = outURL.deletingLastPathComponent()
        let builder = try DatasetBuilder(options: source.buildOptions(), assets: source.assetsURL(out: dataRoot))
        for record in try builder.writeSamples(into: outURL) {
            print("\(record.image ?? record.audio ?? ""): \(record.text)")
        }
    }
}
