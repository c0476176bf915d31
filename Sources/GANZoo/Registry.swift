import DCGANPlugin
import GANCore
import HingeLossPlugin
import LeastSquaresLossPlugin
import MaxoutDropoutPlugin
import MLPBatchNormPlugin
import MLPPlugin
import NonSaturatingLossPlugin
import SaturatingLossPlugin

/// Every plugin the zoo knows, listed explicitly (Swift has no static initialisers to register
/// plugins, and a folder scan would go stale). Adding a plugin adds one line here.
public enum Registry {
    public static let architectures: [ArchitectureFactory] = [
        ArchitectureFactory(MLP.self),
        ArchitectureFactory(MLPBatchNorm.self),
        ArchitectureFactory(MaxoutDropout.self),
        ArchitectureFactory(DCGAN.self),
    ]

    public static let losses: [LossFactory] = [
        LossFactory(NonSaturatingLoss.self),
        LossFactory(SaturatingLoss.self),
        LossFactory(LeastSquaresLoss.self),
        LossFactory(HingeLoss.self),
    ]

    public static func architecture(named name: String) throws(RegistryError) -> ArchitectureFactory {
        guard let factory = architectures.first(where: { $0.name == name }) else {
            throw .unknown(kind: "architecture", name: name, known: architectures.map(\.name))
        }
        return factory
    }

    public static func loss(named name: String) throws(RegistryError) -> LossFactory {
        guard let factory = losses.first(where: { $0.name == name }) else {
            throw .unknown(kind: "loss", name: name, known: losses.map(\.name))
        }
        return factory
    }
}

public enum RegistryError: Error, CustomStringConvertible, Equatable {
    case unknown(kind: String, name: String, known: [String])

    public var description: String {
        switch self {
        case .unknown(let kind, let name, let known):
            let plural = kind.hasSuffix("s") ? kind + "es" : kind + "s"
            return "unknown \(kind) '\(name)' (known \(plural): \(known.joined(separator: ", ")))"
        }
    }
}
