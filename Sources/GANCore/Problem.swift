import GANTensor

/// What the networks are built for: the shape of one sample and the generator's noise prior.
public struct Problem: Codable, Sendable, Equatable {
    /// Shape of one sample, e.g. [28, 28] for MNIST. Pixels lie in [0, 1].
    public var sampleShape: [Int]
    /// Dimension of the noise vector z.
    public var latentSize: Int
    public var noise: NoisePrior
    /// Per-pixel mean of the training data, when known. Only initialisation uses it (the paper's
    /// code sets the generator's output bias to its logit); it is not stored in weight files,
    /// since the bias it initialises is.
    public var pixelMean: [Float]?

    enum CodingKeys: String, CodingKey { case sampleShape, latentSize, noise }

    public init(sampleShape: [Int] = [28, 28], latentSize: Int = 100, noise: NoisePrior = .init(),
                pixelMean: [Float]? = nil) {
        self.sampleShape = sampleShape
        self.latentSize = latentSize
        self.noise = noise
        self.pixelMean = pixelMean
    }

    /// logit(clip(mean, epsilon, 1 - epsilon)) per pixel: the output bias at which a sigmoid
    /// generator starts at the data's mean image. Zeros when the mean is unknown.
    public func meanLogits(epsilon: Float = 1e-7) -> [Float] {
        guard let pixelMean, pixelMean.count == sampleSize else { return [Float](repeating: 0, count: sampleSize) }
        return pixelMean.map { value in
            let p = Swift.min(Swift.max(value, epsilon), 1 - epsilon)
            return logFloat(p / (1 - p))
        }
    }

    public var sampleSize: Int { sampleShape.reduce(1, *) }
}

/// The prior p_z(z): uniform on [-scale, scale] or normal with standard deviation `scale`.
public struct NoisePrior: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case uniform, normal }
    public var kind: Kind
    public var scale: Float

    public init(kind: Kind = .uniform, scale: Float = 1) {
        self.kind = kind
        self.scale = scale
    }

    /// Fills `count` values of z.
    public func sample(into out: UnsafeMutablePointer<Float>, count: Int, rng: inout RandomGenerator) {
        switch kind {
        case .uniform: rng.fillUniform(out, count: count, low: -scale, high: scale)
        case .normal: rng.fillNormal(out, count: count, mean: 0, std: scale)
        }
    }
}
