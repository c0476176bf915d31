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
    /// The condition c of p(x | c): a conditional model takes one of `classes.count` classes
    /// (the one-hot label is appended to the input of both networks). nil: unconditional, and
    /// the stored JSON is the same as before conditioning existed.
    public var classes: Classes?

    enum CodingKeys: String, CodingKey { case sampleShape, latentSize, noise, classes }

    public init(sampleShape: [Int] = [28, 28], latentSize: Int = 100, noise: NoisePrior = .init(),
                pixelMean: [Float]? = nil, classes: Classes? = nil) {
        self.sampleShape = sampleShape
        self.latentSize = latentSize
        self.noise = noise
        self.pixelMean = pixelMean
        self.classes = classes
    }

    /// The number of classes, 0 when unconditional.
    public var classCount: Int { classes?.names.count ?? 0 }
    /// The generator's input width: the noise, then the one-hot label.
    public var generatorInputSize: Int { latentSize + classCount }
    /// The discriminator's input width: the sample, then the one-hot label.
    public var discriminatorInputSize: Int { sampleSize + classCount }

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

/// The classes of a conditional problem: class i is the data's label i. `shares` is the training
/// data's label distribution, from which the trainer (and sampling, by default) draws the labels
/// of generated samples.
public struct Classes: Codable, Sendable, Equatable {
    /// One name per class ("0" ... "9" for MNIST's digits).
    public var names: [String]
    /// The fraction of training images of each class; sums to 1.
    public var shares: [Float]

    public init(names: [String], shares: [Float]) {
        self.names = names
        self.shares = shares
    }

    /// Classes 0 ... max(labels), named by their number, with the labels' shares.
    public init(labels: [UInt8]) {
        let count = Int(labels.max() ?? 0) + 1
        var counts = [Int](repeating: 0, count: count)
        for label in labels { counts[Int(label)] += 1 }
        names = (0..<count).map(String.init)
        shares = counts.map { Float($0) / Float(Swift.max(labels.count, 1)) }
    }

    /// Draws a class from `shares` (one uniform number per draw).
    public func draw(_ rng: inout RandomGenerator) -> Int {
        let u = rng.nextUnitFloat()
        var total: Float = 0
        for (index, share) in shares.enumerated() {
            total += share
            if u < total { return index }
        }
        // Rounding can leave the sum just under 1: the last class with a share takes the rest.
        return shares.lastIndex { $0 > 0 } ?? 0
    }
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
