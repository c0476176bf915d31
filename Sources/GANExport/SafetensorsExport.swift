import GANLayers

/// Networks as a safetensors file: an 8-byte little-endian header length, the header JSON, then
/// the raw little-endian float32 values of every tensor, back to back.
///
/// Tensors are named `<network>.<layer>.<key>` with PyTorch's keys and layout, so that
/// `torch.nn.Module.load_state_dict` takes them as they are (see README, "Export"):
///
/// - dense, maxout: `weight` [output, input] (our kernel transposed, as `torch.nn.Linear` holds
///   it; for maxout row u * pieces + p is piece p of unit u), `bias` [output]
/// - batch_normalization, batch_normalization2d: `weight` (gamma), `bias` (beta), `running_mean`,
///   `running_var`, as `torch.nn.BatchNorm1d` and `BatchNorm2d` name them
/// - conv2d: `weight` [filters, channels, kh, kw] (`torch.nn.Conv2d`), conv2d_transpose: `weight`
///   [channels, filters, kh, kw] (`torch.nn.ConvTranspose2d`), both our kernel permuted; `bias`
/// - a dense layer before a reshape (or after a flatten) has its outputs (inputs) reordered
///   channel-major, as `torch.nn.Unflatten(1, (C, H, W))` (`torch.nn.Flatten()`) reads them
///
/// `__metadata__` holds `format` = `pt` and the model's facts (plugins, problem, the layer list of
/// each network as JSON), all strings as the format requires.
public enum SafetensorsExport {
    public static func encode(_ networks: [ExportNetwork], facts: [(key: String, value: String)]) -> [UInt8] {
        var entries: [String] = []
        var payload: [UInt8] = []
        func add(_ name: String, _ values: [Float], shape: [Int]) {
            let begin = payload.count
            payload += littleEndianBytes(values)
            entries.append("\(JSONString.quote(name)): {\"dtype\": \"F32\", \"shape\": [\(shape.map(String.init).joined(separator: ", "))], "
                           + "\"data_offsets\": [\(begin), \(payload.count)]}")
        }
        for network in networks {
            for (index, layer) in network.layers.enumerated() {
                let prefix = "\(network.role.rawValue).\(layer.name)."
                switch layer.operation {
                case .dense(var kernel, var bias):
                    let outputs = bias.count
                    // PyTorch reads the rows on either side of an image channels-first.
                    if index > 0, case .flatten(let shape) = network.layers[index - 1].operation {
                        kernel = ImageLayout.movingRows(kernel, columns: outputs, to: ImageLayout.channelsFirstPositions(shape))
                    }
                    var weight = transposed(kernel, rows: layer.inputSize, columns: outputs)
                    if index + 1 < network.layers.count, case .reshape(let shape) = network.layers[index + 1].operation {
                        let positions = ImageLayout.channelsFirstPositions(shape)
                        weight = ImageLayout.movingRows(weight, columns: layer.inputSize, to: positions)
                        bias = ImageLayout.movingRows(bias, columns: 1, to: positions)
                    }
                    add(prefix + "weight", weight, shape: [outputs, layer.inputSize])
                    add(prefix + "bias", bias, shape: [outputs])
                case .maxout(let kernel, let bias, _, _):
                    let outputs = bias.count
                    add(prefix + "weight", transposed(kernel, rows: layer.inputSize, columns: outputs), shape: [outputs, layer.inputSize])
                    add(prefix + "bias", bias, shape: [outputs])
                case .convolution(let kernel, let bias, let g):
                    add(prefix + "weight", ImageLayout.channelsFirstKernel(kernel, window: g.window, a: g.input.channels, b: g.output.channels),
                        shape: [g.output.channels, g.input.channels, g.window.height, g.window.width])
                    add(prefix + "bias", bias, shape: [bias.count])
                case .transposedConvolution(let kernel, let bias, let g):
                    add(prefix + "weight", ImageLayout.channelsFirstKernel(kernel, window: g.window, a: g.output.channels, b: g.input.channels),
                        shape: [g.input.channels, g.output.channels, g.window.height, g.window.width])
                    add(prefix + "bias", bias, shape: [bias.count])
                case .batchNormalization(let gamma, let beta, let mean, let variance, _),
                     .batchNormalization2D(let gamma, let beta, let mean, let variance, _, _):
                    add(prefix + "weight", gamma, shape: [gamma.count])
                    add(prefix + "bias", beta, shape: [beta.count])
                    add(prefix + "running_mean", mean, shape: [mean.count])
                    add(prefix + "running_var", variance, shape: [variance.count])
                case .relu, .leakyReLU, .sigmoid, .tanh, .dropout, .reshape, .flatten:
                    break
                }
            }
        }
        let metadata = ([("format", "pt")] + facts).map { "\(JSONString.quote($0.0)): \(JSONString.quote($0.1))" }
        let fields = ["\"__metadata__\": {" + metadata.joined(separator: ", ") + "}"] + entries
        var header = Array(("{" + fields.joined(separator: ", ") + "}").utf8)
        // Pad with spaces so that the values start 8-byte aligned, as the reference writer does.
        header += [UInt8](repeating: 0x20, count: (8 - (8 + header.count) % 8) % 8)
        var length = UInt64(header.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { [UInt8]($0) }
        return lengthBytes + header + payload
    }

    /// A row-major [rows, columns] matrix as [columns, rows].
    static func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for row in 0..<rows {
            for column in 0..<columns { out[column * rows + row] = values[row * columns + column] }
        }
        return out
    }
}
