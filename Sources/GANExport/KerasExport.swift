import GANStorage

/// Networks as a Keras 3 weights file (`model.load_weights("NAME.weights.h5")`), the layout
/// Keras's own `save_weights` writes (keras/src/saving/saving_lib.py, `H5IOStore`):
///
///     /vars                           attribute name = the model's name; no datasets
///     /layers/<class>/vars            attribute name = the layer's name
///     /layers/<class>/vars/0, 1, ...  the layer's variables in creation order
///
/// `<class>` is the snake-case class name of the Keras layer, numbered per class in layer order
/// (`dense`, `dense_1`, ...; `LeakyReLU` -> `leaky_re_lu`, `ReLU` -> `re_lu`). Our layers map to
/// `Dense` (kernel [input, output], bias), `BatchNormalization` (gamma, beta, moving_mean,
/// moving_variance), `LeakyReLU`, `ReLU`, `Activation` (sigmoid, tanh), `Dropout`, and a
/// `Maxout` layer the README defines (kernel [input, units * pieces], bias). Both networks
/// together are the usual combined model `Sequential([generator, discriminator])`: each network
/// under `/layers/sequential` and `/layers/sequential_1`. Root attributes carry the model's facts
/// (Keras reads none of them).
public enum KerasExport {
    /// The Keras layer class each of our layer types becomes, as its snake-case path name.
    static func kerasClass(_ operation: ExportLayer.Operation) -> String {
        switch operation {
        case .dense: return "dense"
        case .maxout: return "maxout"
        case .batchNormalization: return "batch_normalization"
        case .relu: return "re_lu"
        case .leakyReLU: return "leaky_re_lu"
        case .sigmoid, .tanh: return "activation"
        case .dropout: return "dropout"
        }
    }

    public static func write(_ networks: [ExportNetwork], facts: [(key: String, value: String)], to path: String) throws {
        try AtomicFile.write(to: path) { file in
            let root = try file.root
            for fact in facts { try root.setAttribute(fact.key, fact.value) }
            if networks.count == 1 {
                try write(networks[0], into: root)
            } else {
                try root.createGroup("vars").setAttribute("name", "gan")
                let layers = try root.createGroup("layers")
                for (index, network) in networks.enumerated() {
                    try write(network, into: layers.createGroup(index == 0 ? "sequential" : "sequential_\(index)"))
                }
            }
        }
    }

    /// One network as a Keras `Sequential` named after its role, in `group`.
    private static func write(_ network: ExportNetwork, into group: HDF5Group) throws {
        try group.createGroup("vars").setAttribute("name", network.role.rawValue)
        let layers = try group.createGroup("layers")
        var used: [String: Int] = [:]
        for layer in network.layers {
            let kerasClass = kerasClass(layer.operation)
            let count = used[kerasClass, default: 0]
            used[kerasClass] = count + 1
            let variables = try layers.createGroup(count == 0 ? kerasClass : "\(kerasClass)_\(count)").createGroup("vars")
            try variables.setAttribute("name", layer.name)
            let values: [(values: [Float], shape: [Int])]
            switch layer.operation {
            case .dense(let kernel, let bias), .maxout(let kernel, let bias, _, _):
                values = [(kernel, [layer.inputSize, bias.count]), (bias, [bias.count])]
            case .batchNormalization(let gamma, let beta, let mean, let variance, _):
                values = [gamma, beta, mean, variance].map { ($0, [$0.count]) }
            case .relu, .leakyReLU, .sigmoid, .tanh, .dropout:
                values = []
            }
            for (index, variable) in values.enumerated() {
                try variables.writeFloats(String(index), variable.values, shape: variable.shape)
            }
        }
    }
}
