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
    /// One Keras layer of the model the README's snippet builds: its class as the snake-case
    /// path name, its name, and its variables in creation order.
    struct KerasLayer {
        let kerasClass: String
        let name: String
        var variables: [(values: [Float], shape: [Int])] = []
    }

    /// The Keras layers of a network. Keras images are channels-last, as ours, so kernels are
    /// copied as they are; what Keras lacks is explicit padding, and a row input: a `Reshape`
    /// named `<layer>_image` comes before the first image layer on rows, a `ZeroPadding2D`
    /// (`<layer>_padding`) before a padded Conv2D ("valid"), a `Cropping2D` (`<layer>_crop`)
    /// after a padded Conv2DTranspose ("valid"), and a `Flatten` named `output_rows` ends a
    /// network that ends on images.
    static func kerasLayers(_ network: ExportNetwork) throws(ExportError) -> [KerasLayer] {
        var result: [KerasLayer] = []
        var onImages = false
        for layer in network.layers {
            let name = layer.name
            if layer.operation.inputImage != nil && !onImages {
                result.append(KerasLayer(kerasClass: "reshape", name: name + "_image"))
            }
            switch layer.operation {
            case .dense(let kernel, let bias), .maxout(let kernel, let bias, _, _):
                let kerasClass = if case .dense = layer.operation { "dense" } else { "maxout" }
                result.append(KerasLayer(kerasClass: kerasClass, name: name,
                                         variables: [(kernel, [layer.inputSize, bias.count]), (bias, [bias.count])]))
            case .batchNormalization(let gamma, let beta, let mean, let variance, _),
                 .batchNormalization2D(let gamma, let beta, let mean, let variance, _, _):
                result.append(KerasLayer(kerasClass: "batch_normalization", name: name,
                                         variables: [gamma, beta, mean, variance].map { ($0, [$0.count]) }))
            case .relu: result.append(KerasLayer(kerasClass: "re_lu", name: name))
            case .leakyReLU: result.append(KerasLayer(kerasClass: "leaky_re_lu", name: name))
            case .sigmoid, .tanh: result.append(KerasLayer(kerasClass: "activation", name: name))
            case .dropout: result.append(KerasLayer(kerasClass: "dropout", name: name))
            case .reshape: result.append(KerasLayer(kerasClass: "reshape", name: name))
            case .flatten: result.append(KerasLayer(kerasClass: "flatten", name: name))
            case .convolution(let kernel, let bias, let g):
                if g.window.padding > 0 { result.append(KerasLayer(kerasClass: "zero_padding2d", name: name + "_padding")) }
                result.append(KerasLayer(kerasClass: "conv2d", name: name, variables: [
                    (kernel, [g.window.height, g.window.width, g.input.channels, g.output.channels]), (bias, [bias.count])]))
            case .transposedConvolution(let kernel, let bias, let g):
                guard let crop = kerasCropping(g) else {
                    throw ExportError("\(network.role.rawValue) layer '\(name)': a transposed convolution with padding "
                                      + "\(g.window.padding) and output padding \(g.outputPadding) has no Keras form (Cropping2D needs "
                                      + "padding >= output padding)")
                }
                result.append(KerasLayer(kerasClass: "conv2d_transpose", name: name, variables: [
                    (kernel, [g.window.height, g.window.width, g.output.channels, g.input.channels]), (bias, [bias.count])]))
                if crop != [0, 0, 0, 0] { result.append(KerasLayer(kerasClass: "cropping2d", name: name + "_crop")) }
            }
            switch layer.operation {
            case .convolution, .transposedConvolution, .batchNormalization2D, .reshape: onImages = true
            case .flatten, .dense, .maxout, .batchNormalization: onImages = false
            case .relu, .leakyReLU, .sigmoid, .tanh, .dropout: break
            }
        }
        if onImages { result.append(KerasLayer(kerasClass: "flatten", name: "output_rows")) }
        return result
    }

    /// Rows and columns (top, bottom, left, right) a "valid" Keras Conv2DTranspose has beyond our
    /// output, or nil when it has fewer. Keras's side is input * stride + max(window - stride, 0).
    static func kerasCropping(_ g: ExportLayer.ConvolutionGeometry) -> [Int]? {
        let s = g.window.stride, p = g.window.padding
        let bottom = g.input.height * s + max(g.window.height - s, 0) - p - g.output.height
        let right = g.input.width * s + max(g.window.width - s, 0) - p - g.output.width
        guard bottom >= 0, right >= 0 else { return nil }
        return [p, bottom, p, right]
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
        for layer in try kerasLayers(network) {
            let count = used[layer.kerasClass, default: 0]
            used[layer.kerasClass] = count + 1
            let variables = try layers.createGroup(count == 0 ? layer.kerasClass : "\(layer.kerasClass)_\(count)").createGroup("vars")
            try variables.setAttribute("name", layer.name)
            for (index, variable) in layer.variables.enumerated() {
                try variables.writeFloats(String(index), variable.values, shape: variable.shape)
            }
        }
    }
}
