import ArgumentParser
import Foundation
import Model
import Training

/// Reads a model config from a recipe (`.yaml`) or a checkpoint's `config.json`.
func loadModelConfig(_ path: String) throws -> ModelConfig {
    let url = URL(fileURLWithPath: path)
    if url.pathExtension == "yaml" || url.pathExtension == "yml" { return try Recipe.load(url).model }
    let data: Data
    do { data = try Data(contentsOf: url) } catch { throw ConfigError("\(path): cannot read (\(error.localizedDescription))") }
    do {
        let config = try JSONDecoder().decode(ModelConfig.self, from: data)
        try config.validate()
        return config
    } catch let e as ConfigError { throw ConfigError("\(path): \(e.description)") } catch {
        throw ConfigError("\(path): not a model config (\(error))")
    }
}
