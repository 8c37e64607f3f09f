import ArgumentParser
import Kernels

@main
struct MoeMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moe-mm",
        abstract: "Train, run and evaluate compact multimodal mixture-of-experts models on a CPU.",
        discussion: """
            Image, audio and text become one token stream; a decoder with modality-grouped \
            shared and routed experts reads it and writes text. See README.md.
            """,
        subcommands: [DataCommand.self, Train.self, Caption.self, Calibrate.self, Evaluate.self, Inspect.self, Report.self, Preprocess.self, Tokenize.self, TokenizerCommand.self, Bench.self])

    static func main() {
        BLASKernel.upgrade()
        Cores.configure()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
