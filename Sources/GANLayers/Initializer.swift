import GANTensor

/// How a dense layer's kernel is initialised. Biases start at zero unless a plugin says otherwise.
/// Written in recipes and weight files as a string: `glorot-uniform`, `he-normal`,
/// `uniform:0.05`, `normal:0.02`.
public enum Initializer: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Glorot/Xavier uniform: U(-sqrt(6 / (fanIn + fanOut)), +sqrt(...)). Keras's default.
    case glorotUniform
    /// He normal: N(0, 2 / fanIn), for ReLU stacks.
    case heNormal
    /// U(-scale, scale), as the paper's released code does (scale 0.05 for G, 0.005 for D).
    case uniform(scale: Float)
    /// N(0, std^2), as DCGAN does (std 0.02).
    case normal(std: Float)

    public func fill(_ kernel: Tensor, fanIn: Int, fanOut: Int, rng: inout RandomGenerator) {
        switch self {
        case .glorotUniform:
            let limit = (6 / Float(fanIn + fanOut)).squareRoot()
            rng.fillUniform(kernel.pointer, count: kernel.count, low: -limit, high: limit)
        case .heNormal:
            rng.fillNormal(kernel.pointer, count: kernel.count, mean: 0, std: (2 / Float(fanIn)).squareRoot())
        case .uniform(let scale):
            rng.fillUniform(kernel.pointer, count: kernel.count, low: -scale, high: scale)
        case .normal(let std):
            rng.fillNormal(kernel.pointer, count: kernel.count, mean: 0, std: std)
        }
    }

    public var description: String {
        switch self {
        case .glorotUniform: return "glorot-uniform"
        case .heNormal: return "he-normal"
        case .uniform(let scale): return "uniform:\(scale)"
        case .normal(let std): return "normal:\(std)"
        }
    }

    public static let knownForms = ["glorot-uniform", "he-normal", "uniform:SCALE", "normal:STD"]

    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let number = parts.count == 2 ? Float(parts[1]) : nil
        switch (parts.first ?? "", number) {
        case ("glorot-uniform", nil) where parts.count == 1: self = .glorotUniform
        case ("he-normal", nil) where parts.count == 1: self = .heNormal
        case ("uniform", let scale?) where scale > 0: self = .uniform(scale: scale)
        case ("normal", let std?) where std > 0: self = .normal(std: std)
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Initializer(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown initializer '\(text)' (known forms: \(Initializer.knownForms.joined(separator: ", ")))"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
