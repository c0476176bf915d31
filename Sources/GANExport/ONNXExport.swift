import Foundation
import GANLayers
import SwiftProtobuf

/// One network as an ONNX model (IR version 7, opset 13), written with the protobuf messages
/// generated from `Protos/onnx.proto`.
///
/// Graph: input `z` [batch, latent] -> output `x` [batch, pixels] for the generator, input `x`
/// -> output `logit` [batch, 1] for the discriminator; the batch dimension is the symbolic
/// `batch`. Each layer becomes nodes named after it, its parameters initializers named
/// `<layer>.<key>` in our layout (`dense_0.kernel` [input, output]):
///
/// - dense: MatMul + Add
/// - maxout: MatMul + Add, Reshape to [batch, units, pieces], ReduceMax(axes = [2], keepdims = 0)
/// - batch_normalization: BatchNormalization (inference form: running mean and variance, epsilon)
/// - relu, leaky_relu (alpha), sigmoid, tanh: Relu, LeakyRelu, Sigmoid, Tanh
/// - dropout, reshape, flatten: Identity
/// - conv2d: Conv, conv2d_transpose: ConvTranspose (kernel_shape, strides, pads, output_padding),
///   their weights `<layer>.kernel` in ONNX's [filters, channels, kh, kw] and [channels, filters,
///   kh, kw] (our kernels permuted); batch_normalization2d: BatchNormalization over NCHW
///
/// ONNX convolutions work on channels-first images [batch, C, H, W] where our rows are
/// channels-last: before an image layer a row tensor is reshaped to [batch, H, W, C] and
/// transposed (perm 0, 3, 1, 2); before a row layer (or the graph's output) an image is
/// transposed back (perm 0, 2, 3, 1) and reshaped to [batch, H * W * C].
public enum ONNXExport {
    public static let irVersion: Int64 = 7
    public static let opsetVersion: Int64 = 13

    public static func encode(_ network: ExportNetwork, facts: [(key: String, value: String)], producer: String) throws -> [UInt8] {
        var graph = Onnx_GraphProto()
        graph.name = "gan_zoo_\(network.role.rawValue)"
        graph.input = [valueInfo(network.role.inputName, width: network.inputSize)]
        graph.output = [valueInfo(network.role.outputName, width: network.outputSize)]
        var current = network.role.inputName
        var image: ImageShape?   // the channels-first image `current` holds, nil for rows
        for layer in network.layers {
            let wantsImage = layer.operation.inputImage
            if let wanted = wantsImage, image == nil {
                current = toChannelsFirst(current, wanted, name: layer.name, graph: &graph)
            } else if wantsImage == nil, let shape = image, !layer.operation.isElementwise {
                current = toRows(current, shape, name: layer.name, output: layer.name + "/rows", graph: &graph)
                image = nil
            }
            add(layer, input: current, output: layer.name, to: &graph)
            current = layer.name
            switch layer.operation {
            case .convolution(_, _, let geometry), .transposedConvolution(_, _, let geometry): image = geometry.output
            case .batchNormalization2D(_, _, _, _, _, let shape): image = shape
            case .flatten(let shape): image = shape   // flattened by the next row layer's transpose and reshape
            default: break
            }
        }
        if let shape = image {
            _ = toRows(current, shape, name: "output", output: network.role.outputName, graph: &graph)
        } else {
            graph.node[graph.node.count - 1].output = [network.role.outputName]
        }
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = opsetVersion
        model.opsetImport = [opset]
        model.producerName = "gan-zoo"
        model.producerVersion = producer
        model.docString = "GAN Zoo \(network.role.rawValue) (Goodfellow et al. 2014)"
        model.graph = graph
        model.metadataProps = facts.map { fact in
            var entry = Onnx_StringStringEntryProto()
            entry.key = fact.key
            entry.value = fact.value
            return entry
        }
        return try [UInt8](model.serializedBytes() as Data)
    }

    private static func add(_ layer: ExportLayer, input: String, output: String, to graph: inout Onnx_GraphProto) {
        let name = layer.name
        func node(_ op: String, _ inputs: [String], _ output: String, suffix: String = "",
                  _ attributes: [Onnx_AttributeProto] = []) {
            var node = Onnx_NodeProto()
            node.opType = op
            node.name = name + suffix
            node.input = inputs
            node.output = [output]
            node.attribute = attributes
            graph.node.append(node)
        }
        func weights(_ key: String, _ values: [Float], _ dims: [Int]) -> String {
            graph.initializer.append(floatTensor(name + "." + key, values, dims))
            return name + "." + key
        }
        switch layer.operation {
        case .dense(let kernel, let bias):
            node("MatMul", [input, weights("kernel", kernel, [layer.inputSize, layer.outputSize])], name + "/matmul", suffix: "/matmul")
            node("Add", [name + "/matmul", weights("bias", bias, [layer.outputSize])], output, suffix: "/add")
        case .maxout(let kernel, let bias, let units, let pieces):
            node("MatMul", [input, weights("kernel", kernel, [layer.inputSize, units * pieces])], name + "/matmul", suffix: "/matmul")
            node("Add", [name + "/matmul", weights("bias", bias, [units * pieces])], name + "/linear", suffix: "/add")
            let shape = int64Tensor(name + ".shape", [-1, Int64(units), Int64(pieces)])
            graph.initializer.append(shape)
            node("Reshape", [name + "/linear", shape.name], name + "/pieces", suffix: "/reshape")
            node("ReduceMax", [name + "/pieces"], output, suffix: "/max", [ints("axes", [2]), int("keepdims", 0)])
        case .batchNormalization(let gamma, let beta, let mean, let variance, let epsilon):
            let size = [layer.outputSize]
            node("BatchNormalization", [input, weights("gamma", gamma, size), weights("beta", beta, size),
                                        weights("moving_mean", mean, size), weights("moving_variance", variance, size)],
                 output, [float("epsilon", epsilon)])
        case .relu: node("Relu", [input], output)
        case .leakyReLU(let alpha): node("LeakyRelu", [input], output, [float("alpha", alpha)])
        case .sigmoid: node("Sigmoid", [input], output)
        case .tanh: node("Tanh", [input], output)
        case .dropout, .reshape, .flatten: node("Identity", [input], output)
        case .convolution(let kernel, let bias, let g):
            let weight = ImageLayout.channelsFirstKernel(kernel, window: g.window, a: g.input.channels, b: g.output.channels)
            node("Conv", [input, weights("kernel", weight, [g.output.channels, g.input.channels, g.window.height, g.window.width]),
                          weights("bias", bias, [bias.count])], output, convolution(g))
        case .transposedConvolution(let kernel, let bias, let g):
            let weight = ImageLayout.channelsFirstKernel(kernel, window: g.window, a: g.output.channels, b: g.input.channels)
            node("ConvTranspose", [input, weights("kernel", weight, [g.input.channels, g.output.channels, g.window.height, g.window.width]),
                                   weights("bias", bias, [bias.count])], output,
                 convolution(g) + [ints("output_padding", [Int64(g.outputPadding), Int64(g.outputPadding)])])
        case .batchNormalization2D(let gamma, let beta, let mean, let variance, let epsilon, let shape):
            let size = [shape.channels]
            node("BatchNormalization", [input, weights("gamma", gamma, size), weights("beta", beta, size),
                                        weights("moving_mean", mean, size), weights("moving_variance", variance, size)],
                 output, [float("epsilon", epsilon)])
        }
    }

    private static func convolution(_ g: ExportLayer.ConvolutionGeometry) -> [Onnx_AttributeProto] {
        let p = Int64(g.window.padding)
        return [ints("kernel_shape", [Int64(g.window.height), Int64(g.window.width)]),
                ints("strides", [Int64(g.window.stride), Int64(g.window.stride)]), ints("pads", [p, p, p, p])]
    }

    /// Rows [batch, H * W * C] -> channels-first images [batch, C, H, W] (Reshape, Transpose).
    private static func toChannelsFirst(_ input: String, _ shape: ImageShape, name: String, graph: inout Onnx_GraphProto) -> String {
        let target = int64Tensor(name + ".image_shape", [-1, Int64(shape.height), Int64(shape.width), Int64(shape.channels)])
        graph.initializer.append(target)
        graph.node.append(plainNode("Reshape", name + "/to_image", [input, target.name], name + "/nhwc"))
        var transpose = plainNode("Transpose", name + "/to_nchw", [name + "/nhwc"], name + "/nchw")
        transpose.attribute = [ints("perm", [0, 3, 1, 2])]
        graph.node.append(transpose)
        return name + "/nchw"
    }

    /// Channels-first images [batch, C, H, W] -> rows [batch, H * W * C] (Transpose, Reshape).
    private static func toRows(_ input: String, _ shape: ImageShape, name: String, output: String,
                               graph: inout Onnx_GraphProto) -> String {
        var transpose = plainNode("Transpose", name + "/to_nhwc", [input], name + "/nhwc")
        transpose.attribute = [ints("perm", [0, 2, 3, 1])]
        graph.node.append(transpose)
        let target = int64Tensor(name + ".row_shape", [-1, Int64(shape.size)])
        graph.initializer.append(target)
        graph.node.append(plainNode("Reshape", name + "/to_rows", [name + "/nhwc", target.name], output))
        return output
    }

    private static func plainNode(_ op: String, _ name: String, _ inputs: [String], _ output: String) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.opType = op
        node.name = name
        node.input = inputs
        node.output = [output]
        return node
    }

    private static func int64Tensor(_ name: String, _ values: [Int64]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.dims = [Int64(values.count)]
        tensor.int64Data = values
        return tensor
    }

    private static func floatTensor(_ name: String, _ values: [Float], _ dims: [Int]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.dims = dims.map(Int64.init)
        tensor.rawData = Data(littleEndianBytes(values))
        return tensor
    }

    /// A float32 tensor of shape [batch, width], the batch dimension symbolic.
    private static func valueInfo(_ name: String, width: Int) -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        var features = Onnx_TensorShapeProto.Dimension()
        features.dimValue = Int64(width)
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape.dim = [batch, features]
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensor
        return info
    }

    private static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }

    private static func int(_ name: String, _ value: Int64) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = value
        return attribute
    }

    private static func ints(_ name: String, _ values: [Int64]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values
        return attribute
    }
}

/// float32 values as little-endian bytes (the byte order of ONNX raw_data and safetensors).
func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    if 1.littleEndian == 1 { return values.withUnsafeBytes { [UInt8]($0) } }
    return values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { [UInt8]($0) } }
}
