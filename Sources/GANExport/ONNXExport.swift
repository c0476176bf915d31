import Foundation
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
/// - dropout: Identity
public enum ONNXExport {
    public static let irVersion: Int64 = 7
    public static let opsetVersion: Int64 = 13

    public static func encode(_ network: ExportNetwork, facts: [(key: String, value: String)], producer: String) throws -> [UInt8] {
        var graph = Onnx_GraphProto()
        graph.name = "gan_zoo_\(network.role.rawValue)"
        graph.input = [valueInfo(network.role.inputName, width: network.inputSize)]
        graph.output = [valueInfo(network.role.outputName, width: network.outputSize)]
        var current = network.role.inputName
        for (index, layer) in network.layers.enumerated() {
            let output = index == network.layers.count - 1 ? network.role.outputName : layer.name
            add(layer, input: current, output: output, to: &graph)
            current = output
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
            var shape = Onnx_TensorProto()
            shape.name = name + ".shape"
            shape.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
            shape.dims = [3]
            shape.int64Data = [-1, Int64(units), Int64(pieces)]
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
        case .dropout: node("Identity", [input], output)
        }
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
