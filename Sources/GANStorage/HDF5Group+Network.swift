import GANLayers
import GANTensor

/// A network in a group, the layout every GAN Zoo file uses (generator, discriminator,
/// classifier): attribute `layer_names`, then one subgroup per layer (`dense_0`, `conv2d_1`, ...)
/// with its `type`, sizes, settings (`units`, `strides`, ...) and one float32 dataset per
/// parameter under its Keras name (`kernel`, `bias`, `gamma`, `moving_mean`, ...).
extension HDF5Group {
    public func write(network: Network) throws {
        try setAttribute("layer_names", network.layerNames)
        try setAttribute("input_size", network.inputSize)
        try setAttribute("output_size", network.outputSize)
        for (name, layer) in zip(network.layerNames, network.layers) {
            let layerGroup = try createGroup(name)
            try layerGroup.setAttribute("type", layer.kind)
            try layerGroup.setAttribute("input_size", layer.inputSize)
            try layerGroup.setAttribute("output_size", layer.outputSize)
            for (key, value) in layer.attributes.sorted(by: { $0.key < $1.key }) {
                try layerGroup.setAttribute(key, value)
            }
            for parameter in layer.parameters {
                try layerGroup.writeFloats(parameter.key, parameter.value.pointer, shape: parameter.shape)
            }
        }
    }

    /// Fills `network` from this group: the layers, their types, settings and parameters must
    /// match exactly; anything missing, extra, mis-shaped or non-finite is an error naming it.
    public func read(into network: Network) throws {
        func fail(_ object: String, _ reason: String) -> HDF5Error {
            HDF5Error(file: file, object: object, reason: reason)
        }
        let stored = try stringsAttribute("layer_names")
        guard stored == network.layerNames else {
            throw fail(path, "layers \(stored) do not match the architecture's \(network.layerNames)")
        }
        let extra = Set(try childNames()).subtracting(network.layerNames)
        if !extra.isEmpty { throw fail(path, "unexpected entries \(extra.sorted())") }
        for (name, layer) in zip(network.layerNames, network.layers) {
            let layerGroup = try group(name)
            let kind = try layerGroup.stringAttribute("type")
            guard kind == layer.kind else {
                throw fail(layerGroup.path, "layer type '\(kind)' does not match the architecture's '\(layer.kind)'")
            }
            for (key, value) in layer.attributes.sorted(by: { $0.key < $1.key }) {
                let found = try layerGroup.doubleAttribute(key)
                guard found == value else { throw fail(layerGroup.path, "attribute '\(key)' is \(found), the architecture's is \(value)") }
            }
            // A constraint the configuration does not set would be dropped silently on loading.
            if layer.attributes["max_col_norm"] == nil && layerGroup.hasAttribute("max_col_norm") {
                throw fail(layerGroup.path, "attribute 'max_col_norm' is set, but the architecture's configuration sets no max-norm here")
            }
            try layerGroup.readParameters(of: layer)
        }
    }

    private func readParameters(of layer: any Layer) throws {
        let keys = layer.parameters.map(\.key)
        let extraDatasets = Set(try childNames()).subtracting(keys)
        if !extraDatasets.isEmpty { throw HDF5Error(file: file, object: path, reason: "unexpected datasets \(extraDatasets.sorted())") }
        for parameter in layer.parameters {
            // The shape is compared before the values are allocated.
            let (_, values) = try readFloats(parameter.key, expecting: parameter.shape)
            let object = path + "/" + parameter.key
            guard values.allSatisfy(\.isFinite) else { throw HDF5Error(file: file, object: object, reason: "holds NaN or infinite values") }
            parameter.value.copy(from: values)
        }
    }
}
