import ArgumentParser
import GANZoo

// What shell completion (`gan --generate-completion-script bash|zsh|fish`) offers beside file
// names: the registry's plugin names, fixed when the script is generated, and the zoo's model
// names, asked of `gan` each time (the zoo folder may change).

let architectureNames = CompletionKind.list(Registry.architectures.map(\.name))
let lossNames = CompletionKind.list(Registry.losses.map(\.name))
let zooModelNames = CompletionKind.custom { _, _, prefix in
    ((try? Zoo.models()) ?? []).map(\.name).filter { $0.hasPrefix(prefix) }
}
let weightsFiles = CompletionKind.file(extensions: ["h5"])
