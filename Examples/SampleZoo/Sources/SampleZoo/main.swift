// Usage: swift run SampleZoo [MODEL] [OUT.png]  (defaults: mlp-digit4, samples.png)
import Foundation
import GANZoo

let arguments = CommandLine.arguments.dropFirst()
let name = arguments.first ?? "mlp-digit4"
let out = arguments.dropFirst().first ?? "samples.png"

do {
    let model = try Zoo.load(name)                       // name -> model (its shipped weights)
    let samples = model.samples(count: 16, seed: 0)      // shape [16, 28, 28], values in [0, 1]
    try samples.png(columns: 4).write(to: URL(fileURLWithPath: out))
    let mean = samples[0].reduce(0, +) / Float(samples.sampleSize)  // samples[i]: one sample's values
    print("\(name): samples of shape \(samples.shape), sample 0's mean pixel \(mean); wrote \(out)")
} catch {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    exit(1)
}
