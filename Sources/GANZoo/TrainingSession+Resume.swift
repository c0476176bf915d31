import Foundation
import GANCore
import GANLayers
import GANStorage
import GANTensor

extension TrainingSession {
    /// Rebuilds a session from a checkpoint written by `save(to:)`: weights, optimizer state,
    /// random streams, data order, the epoch in progress and the history. With the same thread
    /// count, training on gives the same bits as a run that was never interrupted.
    /// `epochs` replaces the stored total (to train on); the data must be the same as before.
    /// `learningRateScale` multiplies both base learning rates (a rollback after divergence).
    /// `dataPath` replaces the checkpoint's data folder (a checkpoint from elsewhere names any
    /// folder it likes); the data fingerprint still has to match.
    public static func resume(from path: String, epochs: Int? = nil, learningRateScale: Float = 1,
                              dataPath: String? = nil) throws -> TrainingSession {
        try resume(from: ModelFile.load(path), epochs: epochs, learningRateScale: learningRateScale, dataPath: dataPath)
    }

    /// The same from a checkpoint already loaded (by a caller that read its recipe first).
    public static func resume(from contents: ModelFile.Contents, epochs: Int? = nil, learningRateScale: Float = 1,
                              dataPath: String? = nil) throws -> TrainingSession {
        var configuration = contents.configuration
        if let epochs { configuration.epochs = epochs }
        if let dataPath { configuration.dataPath = dataPath }
        configuration.generatorOptimizer.learningRate *= learningRateScale
        configuration.discriminatorOptimizer.learningRate *= learningRateScale
        let session = try TrainingSession(configuration: configuration)
        try session.restore(from: contents.path, contents: contents)
        return session
    }

    private func restore(from path: String, contents: ModelFile.Contents) throws {
        func fail(_ object: String, _ reason: String) -> HDF5Error { HDF5Error(file: path, object: object, reason: reason) }
        let root = try HDF5File.open(path).root
        guard root.contains("state"), root.contains("optimizer") else {
            throw fail("/", "holds weights but no training state (optimizer, data order): it is not a checkpoint; "
                       + "train anew with --recipe, or pass a checkpoint written with --checkpoint-every")
        }
        for (mine, theirs) in [(model.generator, contents.model.generator), (model.discriminator, contents.model.discriminator)] {
            // The file's layers were checked against its recipe on loading; this is the last guard
            // before copying, so that no other path can copy weights of one shape into another.
            guard mine.namedParameters.map({ "\($0.0)/\($0.1.key)\($0.1.shape)" }) == theirs.namedParameters.map({ "\($0.0)/\($0.1.key)\($0.1.shape)" }) else {
                throw fail("/", "the stored networks do not match the recipe in attribute 'training'")
            }
            for ((_, target), (_, source)) in zip(mine.namedParameters, theirs.namedParameters) { target.value.copy(from: source.value) }
        }
        let optimizer = try root.group("optimizer")
        try restore(trainer.generatorOptimizer, network: model.generator, from: optimizer.group("generator"))
        try restore(trainer.discriminatorOptimizer, network: model.discriminator, from: optimizer.group("discriminator"))

        let rng = try root.group("rng")
        func stream(_ group: HDF5Group, _ name: String) throws -> [RandomGenerator] {
            let words = try group.readUInt64s(name, maximumCount: 4 * 4096)
            guard words.count % 4 == 0, !words.isEmpty else { throw fail(group.path + "/" + name, "is not a list of random states") }
            do {
                return try stride(from: 0, to: words.count, by: 4).map { try RandomGenerator(state: Array(words[$0..<($0 + 4)])) }
            } catch {
                throw fail(group.path + "/" + name, "\(error)")
            }
        }
        trainer.noiseRNG = try stream(rng, "noise")[0]
        shuffleRNG = try stream(rng, "shuffle")[0]
        if configuration.conditional { trainer.labelRNG = try stream(rng, "labels")[0] }
        for (role, network) in [("generator", model.generator), ("discriminator", model.discriminator)] {
            let group = try rng.group(role)
            for (name, layer) in zip(network.layerNames, network.layers) where !layer.randomStates.isEmpty {
                layer.randomStates = try stream(group, name)
            }
        }

        let state = try root.group("state")
        order = try restoredOrder(state, fail)
        let fingerprint = try state.stringAttribute("data_fingerprint")
        guard fingerprint == String(data.fingerprint, radix: 16) else {
            throw fail("/state", "the training images differ from the checkpoint's (data fingerprint \(fingerprint), "
                       + "now \(String(data.fingerprint, radix: 16))): resume with the same --data and --digit")
        }
        trainer.discriminatorSteps = try state.intAttribute("discriminator_steps")
        guard (0...Limits.maximumSteps * Limits.maximumK).contains(trainer.discriminatorSteps) else {
            throw fail("/state", "attribute 'discriminator_steps' \(trainer.discriminatorSteps) is out of range")
        }
        let sums = try state.readDoubles("epoch_sums", maximumCount: 8).values
        guard sums.count == 8 else { throw fail("/state/epoch_sums", "expected 8 values, found \(sums.count)") }
        // The counts (generator steps, steps, samples) become Ints: whole, non-negative, bounded.
        guard sums.allSatisfy(\.isFinite), sums[4...6].allSatisfy({ $0 >= 0 && $0 <= 0x1p52 && $0.rounded() == $0 }), sums[7] >= 0 else {
            throw fail("/state/epoch_sums", "holds NaN, infinite, negative or fractional counts")
        }
        accumulator = EpochAccumulator(values: sums)
        guard state.contains("history") else { throw fail("/state/history", "is missing") }
        history = contents.history
        position = contents.position
        guard position.epochStep < batchesPerEpoch else {
            throw fail("/", "position \(position.epochStep) steps into an epoch of \(batchesPerEpoch) steps does not fit the batch size")
        }
        guard position.step == position.epoch * batchesPerEpoch + position.epochStep else {
            throw fail("/", "step \(position.step) does not agree with epoch \(position.epoch) and epoch_step \(position.epochStep) "
                       + "at \(batchesPerEpoch) steps per epoch")
        }
    }

    /// The stored data order: a permutation of the current images' indices. A count that
    /// differs means other data; duplicates or indices out of range mean a damaged file.
    private func restoredOrder(_ state: HDF5Group, _ fail: (String, String) -> HDF5Error) throws -> [Int] {
        // The shape first: reading a crafted order of up to 2^27 values would allocate 1 GiB
        // only to find that its count is wrong.
        let shape = try state.uint64Shape("order")
        guard shape == [data.count] else {
            let stored = shape.count == 1 ? "\(shape[0])" : "shape \(shape) of"
            throw fail("/state/order", "the checkpoint was trained on \(stored) images, the data now has \(data.count): "
                       + "resume with the same --data and --digit")
        }
        let stored = try state.readUInt64s("order", maximumCount: data.count)
        var seen = [Bool](repeating: false, count: data.count)
        for index in stored {
            guard index < UInt64(data.count), !seen[Int(index)] else {
                throw fail("/state/order", "is not a permutation of the \(data.count) images (index \(index) is "
                           + "\(index < UInt64(data.count) ? "repeated" : "out of range")): the file is damaged")
            }
            seen[Int(index)] = true
        }
        return stored.map { Int($0) }
    }

    private func restore(_ optimizer: any Optimizer, network: Network, from group: HDF5Group) throws {
        optimizer.stepCount = try group.intAttribute("step_count")
        guard (0...Limits.maximumSteps).contains(optimizer.stepCount) else {
            throw HDF5Error(file: group.file, object: group.path, reason: "attribute 'step_count' \(optimizer.stepCount) is out of range")
        }
        let trainable = network.namedParameters.filter { $0.parameter.trainable }
        for (stateName, tensors) in optimizer.state {
            let stateGroup = try group.group(stateName)
            for ((layer, parameter), tensor) in zip(trainable, tensors) {
                let (_, values) = try stateGroup.group(layer).readFloats(parameter.key, expecting: tensor.shape)
                guard values.allSatisfy(\.isFinite) else {
                    throw HDF5Error(file: group.file, object: "\(stateGroup.path)/\(layer)/\(parameter.key)",
                                    reason: "holds NaN or infinite values")
                }
                tensor.copy(from: values)
            }
        }
    }
}
