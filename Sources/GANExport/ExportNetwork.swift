import Foundation
import GANLayers

/// One layer in the inference form every export writes (dropout is the identity, batch
/// normalisation uses its running statistics). Parameters are copied out of the network in
/// our own layout: `kernel` [input, output], row-major, as the weights file stores it.
public struct ExportLayer {
    public enum Operation {
        /// y = x kernel + bias; kernel [input, output].
        case dense(kernel: [Float], bias: [Float])
        /// The dense form [input, units * pieces] then, per unit, the maximum of its pieces
        /// (column u * pieces + p is piece p of unit u).
        case maxout(kernel: [Float], bias: [Float], units: Int, pieces: Int)
        /// y = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta.
        case batchNormalization(gamma: [Float], beta: [Float], movingMean: [Float], movingVariance: [Float], epsilon: Float)
        case relu
        case leakyReLU(alpha: Float)
        case sigmoid
        case tanh
        /// Identity at inference (inverted dropout scales during training only).
        case dropout(keepProbability: Float)
        /// Convolution over channels-last images; kernel [kh, kw, input channels, filters].
        case convolution(kernel: [Float], bias: [Float], geometry: ConvolutionGeometry)
        /// Transposed convolution; kernel [kh, kw, filters, input channels].
        case transposedConvolution(kernel: [Float], bias: [Float], geometry: ConvolutionGeometry)
        /// Batch normalisation per channel of a channels-last image (running statistics).
        case batchNormalization2D(gamma: [Float], beta: [Float], movingMean: [Float], movingVariance: [Float], epsilon: Float,
                                  shape: ImageShape)
        /// Rows become channels-last images of this shape (values unchanged).
        case reshape(ImageShape)
        /// Channels-last images of this shape become rows (values unchanged).
        case flatten(ImageShape)

        /// The image this operation reads, for the ones that work on images.
        public var inputImage: ImageShape? {
            switch self {
            case .convolution(_, _, let geometry), .transposedConvolution(_, _, let geometry): return geometry.input
            case .batchNormalization2D(_, _, _, _, _, let shape), .flatten(let shape): return shape
            default: return nil
            }
        }

        /// Applied value by value, so it works on rows and images alike.
        public var isElementwise: Bool {
            switch self {
            case .relu, .leakyReLU, .sigmoid, .tanh, .dropout: return true
            default: return false
            }
        }

        /// The parameter values the operation holds.
        public var parameterCount: Int {
            switch self {
            case .dense(let kernel, let bias), .maxout(let kernel, let bias, _, _),
                 .convolution(let kernel, let bias, _), .transposedConvolution(let kernel, let bias, _):
                return kernel.count + bias.count
            case .batchNormalization(let gamma, _, _, _, _), .batchNormalization2D(let gamma, _, _, _, _, _): return 4 * gamma.count
            case .relu, .leakyReLU, .sigmoid, .tanh, .dropout, .reshape, .flatten: return 0
            }
        }
    }

    /// A convolution's input and output images, window and (transposed only) output padding.
    public struct ConvolutionGeometry: Sendable {
        public let input: ImageShape
        public let output: ImageShape
        public let window: Window
        public let outputPadding: Int
    }

    /// The layer types an export can write: the ones the architecture plugins build.
    public static let exportableTypes = ["dense", "maxout", "batch_normalization", "relu", "leaky_relu",
                                         "sigmoid", "tanh", "dropout", "conv2d", "conv2d_transpose",
                                         "batch_normalization2d", "reshape", "flatten"]

    public let name: String
    public let type: String
    public let inputSize: Int
    public let outputSize: Int
    public let operation: Operation
    /// The layer's scalar settings as the weights file stores them (`alpha`, `units`, ...).
    public let attributes: [String: Double]

    public init(name: String, layer: any Layer, network: String) throws(ExportError) {
        self.name = name
        type = layer.kind
        inputSize = layer.inputSize
        outputSize = layer.outputSize
        attributes = layer.attributes
        func fail(_ reason: String) -> ExportError { ExportError("\(network) layer '\(name)': \(reason)") }
        func values(_ key: String, count: Int) throws(ExportError) -> [Float] {
            guard let parameter = layer.parameters.first(where: { $0.key == key }) else { throw fail("has no '\(key)'") }
            guard parameter.value.count == count else {
                throw fail("'\(key)' holds \(parameter.value.count) values, expected \(count)")
            }
            return parameter.value.array
        }
        func setting(_ key: String) throws(ExportError) -> Double {
            guard let value = layer.attributes[key], value.isFinite else { throw fail("has no setting '\(key)'") }
            return value
        }
        switch layer.kind {
        case "dense":
            operation = .dense(kernel: try values("kernel", count: inputSize * outputSize), bias: try values("bias", count: outputSize))
        case "maxout":
            let units = Int(try setting("units")), pieces = Int(try setting("pieces"))
            guard units == outputSize, pieces >= 1 else { throw fail("\(units) units of \(pieces) pieces do not match its \(outputSize) outputs") }
            operation = .maxout(kernel: try values("kernel", count: inputSize * units * pieces),
                                bias: try values("bias", count: units * pieces), units: units, pieces: pieces)
        case "batch_normalization":
            operation = .batchNormalization(gamma: try values("gamma", count: outputSize), beta: try values("beta", count: outputSize),
                                            movingMean: try values("moving_mean", count: outputSize),
                                            movingVariance: try values("moving_variance", count: outputSize),
                                            epsilon: Float(try setting("epsilon")))
        case "relu": operation = .relu
        case "leaky_relu": operation = .leakyReLU(alpha: Float(try setting("alpha")))
        case "sigmoid": operation = .sigmoid
        case "tanh": operation = .tanh
        case "dropout": operation = .dropout(keepProbability: Float(try setting("keep_probability")))
        case "conv2d":
            guard let conv = layer as? Conv2D else { throw fail("is not a Conv2D") }
            let geometry = ConvolutionGeometry(input: conv.inputShape, output: conv.outputShape, window: conv.window, outputPadding: 0)
            operation = .convolution(kernel: try values("kernel", count: conv.kernel.value.count),
                                     bias: try values("bias", count: conv.outputShape.channels), geometry: geometry)
        case "conv2d_transpose":
            guard let conv = layer as? TransposedConv2D else { throw fail("is not a TransposedConv2D") }
            let geometry = ConvolutionGeometry(input: conv.inputShape, output: conv.outputShape, window: conv.window,
                                               outputPadding: conv.outputPadding)
            operation = .transposedConvolution(kernel: try values("kernel", count: conv.kernel.value.count),
                                               bias: try values("bias", count: conv.outputShape.channels), geometry: geometry)
        case "batch_normalization2d":
            guard let norm = layer as? BatchNormalization2D else { throw fail("is not a BatchNormalization2D") }
            let channels = norm.shape.channels
            operation = .batchNormalization2D(gamma: try values("gamma", count: channels), beta: try values("beta", count: channels),
                                              movingMean: try values("moving_mean", count: channels),
                                              movingVariance: try values("moving_variance", count: channels),
                                              epsilon: Float(try setting("epsilon")), shape: norm.shape)
        case "reshape":
            guard let reshape = layer as? Reshape else { throw fail("is not a Reshape") }
            operation = .reshape(reshape.outputShape)
        case "flatten":
            guard let flatten = layer as? Flatten else { throw fail("is not a Flatten") }
            operation = .flatten(flatten.inputShape)
        default:
            throw fail("type '\(layer.kind)' has no export (exportable types: \(Self.exportableTypes.joined(separator: ", ")))")
        }
    }
}

/// A generator or discriminator ready to export: its layers in order, with the names the
/// weights file gives them (`dense_0`, `leaky_relu_1`, ...).
public struct ExportNetwork {
    public enum Role: String, Sendable, CaseIterable {
        case generator, discriminator

        /// Graph input and output names (ONNX): z -> x for the generator, x -> logit for the
        /// discriminator.
        public var inputName: String { self == .generator ? "z" : "x" }
        public var outputName: String { self == .generator ? "x" : "logit" }
    }

    public let role: Role
    public let layers: [ExportLayer]
    public let inputSize: Int
    public let outputSize: Int

    public init(_ role: Role, network: Network) throws(ExportError) {
        self.role = role
        var layers: [ExportLayer] = []
        for (name, layer) in zip(network.layerNames, network.layers) {
            layers.append(try ExportLayer(name: name, layer: layer, network: role.rawValue))
        }
        self.layers = layers
        inputSize = network.inputSize
        outputSize = network.outputSize
    }

    /// The layer list as JSON (name, type, sizes, settings), which the exports carry so that a
    /// reader can build the matching PyTorch or Keras model from the file alone.
    public var descriptionJSON: String {
        "[" + layers.map { layer in
            var fields = [("name", JSONString.quote(layer.name)), ("type", JSONString.quote(layer.type)),
                          ("input_size", String(layer.inputSize)), ("output_size", String(layer.outputSize))]
            for (key, value) in layer.attributes.sorted(by: { $0.key < $1.key }) {
                fields.append((key, value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)))
            }
            return "{" + fields.map { "\(JSONString.quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }.joined(separator: ", ") + "]"
    }
}

/// JSON string literals (escaped by JSONEncoder), so that objects keep their keys in the order written.
enum JSONString {
    static func quote(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // Encoding a String cannot fail.
        return String(decoding: (try? encoder.encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
