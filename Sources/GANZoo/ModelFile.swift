import Foundation
import GANCore
import GANLayers
import GANStorage
import GANTensor

/// Where a run stands: epochs completed, steps taken, and steps into the current epoch.
public struct TrainingPosition: Codable, Sendable, Equatable {
    public var epoch: Int
    public var step: Int
    public var epochStep: Int
    public init(epoch: Int = 0, step: Int = 0, epochStep: Int = 0) {
        self.epoch = epoch
        self.step = step
        self.epochStep = epochStep
    }

    /// "epoch 2, step 115" (inside epoch 2) or "the end of epoch 1, step 100", the same words
    /// wherever a run stops or resumes.
    public var description: String {
        epochStep > 0 ? "epoch \(epoch + 1), step \(step)" : "the end of epoch \(epoch), step \(step)"
    }
}

/// The self-describing weights file (see README, "The weights file").
///
///     /                attrs: format, format_version, architecture, generator_architecture,
///                             generator_config, discriminator_architecture, discriminator_config,
///                             architecture_config (when both sides share a plugin and configuration), loss, problem,
///                             training, epoch, step, created_by
///     /generator       attrs: layer_names, input_size, output_size
///     /generator/dense_0            attrs: type, input_size, output_size; datasets kernel, bias
///     /generator/relu_1             attrs: type, input_size, output_size
///     /discriminator/...            the same layout
///     /optimizer/{generator,discriminator}/<state>/<layer>/<key>   attrs: kind, step_count
///     /                conditional models also: classes (int), class_names (strings); format_version 2
///     /rng             datasets noise, shuffle (and labels, conditional): xoshiro256** states (uint64[4]);
///                      groups generator/, discriminator/: one dataset per dropout layer
///     /state           datasets order (uint64, the data order), epoch_sums (float64[8]),
///                      history (float64 [epochs, 7]); attrs discriminator_steps, history_columns
///     /history         weights-only exports: the same per-epoch history (root attribute
///                      history_columns names its columns)
public enum ModelFile {
    public static let format = "gan-zoo-weights"
    /// The newest version written and read: 2 for a conditional model (an older gan-zoo refuses
    /// it by its version instead of by a shape), 1 for every other file, unchanged.
    public static let formatVersion = 2

    public struct Contents {
        public let configuration: TrainingConfiguration
        public let position: TrainingPosition
        public let model: GANModel
        public let path: String
        /// False for a generator-only export: `model.discriminator` is then freshly initialised,
        /// not trained, and only the generator (sampling, evaluation) may be used.
        public var discriminatorStored = true
        /// The per-epoch history (/state/history of a checkpoint, /history of an export); empty
        /// for files written before exports kept it.
        public var history: [EpochSummary] = []
    }

    /// The columns of a stored history row, in order.
    public static let historyColumns = ["epoch", "discriminator_loss", "generator_loss", "real_score",
                                        "fake_score", "samples_per_second", "seconds"]

    /// Writes atomically: a temporary file in the same folder, renamed into place.
    public static func save(model: GANModel, configuration: TrainingConfiguration, position: TrainingPosition,
                            optimizers: (generator: any Optimizer, discriminator: any Optimizer)?,
                            randomStates: [String: RandomGenerator], to path: String, deflateLevel: Int = 0,
                            includeDiscriminator: Bool = true, extra: (HDF5Group) throws -> Void = { _ in }) throws {
        try AtomicFile.write(to: path) { file in
            file.deflateLevel = deflateLevel
            let root = try file.root
            try root.setAttribute("format", format)
            try root.setAttribute("format_version", model.problem.classes == nil ? 1 : formatVersion)
            try root.setAttribute("architecture", model.architectureName)
            try root.setAttribute("generator_architecture", model.generatorArchitecture.name)
            try root.setAttribute("generator_config", model.generatorArchitecture.configurationJSON)
            try root.setAttribute("discriminator_architecture", model.discriminatorArchitecture.name)
            try root.setAttribute("discriminator_config", model.discriminatorArchitecture.configurationJSON)
            if model.generatorArchitecture.name == model.discriminatorArchitecture.name
                && model.generatorArchitecture.configurationJSON == model.discriminatorArchitecture.configurationJSON {
                try root.setAttribute("architecture_config", model.generatorArchitecture.configurationJSON)
            }
            try root.setAttribute("loss", configuration.loss)
            try root.setAttribute("problem", ConfigurationCoding.encode(model.problem))
            if let classes = model.problem.classes {
                try root.setAttribute("classes", classes.names.count)
                try root.setAttribute("class_names", classes.names)
            }
            try root.setAttribute("training", ConfigurationCoding.encode(configuration))
            try root.setAttribute("epoch", position.epoch)
            try root.setAttribute("step", position.step)
            try root.setAttribute("epoch_step", position.epochStep)
            try root.setAttribute("created_by", "gan-zoo \(GANZooVersion.string)")
            try root.createGroup("generator").write(network: model.generator)
            if includeDiscriminator {
                try root.createGroup("discriminator").write(network: model.discriminator)
            } else {
                try root.setAttribute("discriminator_stored", 0)
            }
            if let optimizers {
                let group = try root.createGroup("optimizer")
                try writeOptimizer(optimizers.generator, network: model.generator, into: group.createGroup("generator"))
                try writeOptimizer(optimizers.discriminator, network: model.discriminator, into: group.createGroup("discriminator"))
            }
            let rng = try root.createGroup("rng")
            for (name, generator) in randomStates.sorted(by: { $0.key < $1.key }) {
                try rng.writeUInt64s(name, generator.state)
            }
            for (role, network) in [("generator", model.generator), ("discriminator", model.discriminator)]
            where role == "generator" || includeDiscriminator {
                let group = try rng.createGroup(role)
                for (name, layer) in zip(network.layerNames, network.layers) where !layer.randomStates.isEmpty {
                    try group.writeUInt64s(name, layer.randomStates.flatMap(\.state))
                }
            }
            try extra(root)
        }
    }

    /// A weights-only copy for sharing, as the zoo ships its models: the description and both
    /// networks (or the generator alone), compressed with shuffle + deflate, without optimizer
    /// state, the noise and shuffle streams, or the data order (the dropout layers' streams stay).
    /// It samples and evaluates exactly like `contents`; it cannot resume training.
    public static func exportWeights(_ contents: Contents, to path: String, deflateLevel: Int = 6,
                                     includeDiscriminator: Bool = true) throws {
        try save(model: contents.model, configuration: contents.configuration, position: contents.position,
                 optimizers: nil, randomStates: [:], to: path, deflateLevel: deflateLevel,
                 includeDiscriminator: includeDiscriminator && contents.discriminatorStored) { root in
            guard !contents.history.isEmpty else { return }
            try writeHistory(contents.history, into: root)
            try root.setAttribute("history_columns", historyColumns)
        }
    }

    /// `history` as a float64 [epochs, 7] dataset named "history" in `group`.
    static func writeHistory(_ history: [EpochSummary], into group: HDF5Group) throws {
        let rows = history.map {
            [Double($0.epoch), Double($0.discriminatorLoss), Double($0.generatorLoss), Double($0.realScore),
             Double($0.fakeScore), $0.samplesPerSecond, $0.seconds]
        }
        try group.writeDoubles("history", rows.flatMap { $0 }, shape: [rows.count, 7])
    }

    /// Everything a session needs to continue exactly: weights, optimizer state, random
    /// streams, data order, the epoch in progress and the history.
    static func save(session: TrainingSession, to path: String) throws {
        try save(model: session.model, configuration: session.configuration, position: session.position,
                 optimizers: (session.trainer.generatorOptimizer, session.trainer.discriminatorOptimizer),
                 randomStates: ["noise": session.trainer.noiseRNG, "shuffle": session.shuffleRNG]
                    .merging(session.configuration.conditional ? ["labels": session.trainer.labelRNG] : [:]) { $1 },
                 to: path) { root in
            let state = try root.createGroup("state")
            try state.setAttribute("discriminator_steps", session.trainer.discriminatorSteps)
            try state.setAttribute("data_fingerprint", String(session.data.fingerprint, radix: 16))
            try state.writeUInt64s("order", session.order.map { UInt64($0) })
            try state.writeDoubles("epoch_sums", session.accumulator.values, shape: [8])
            try writeHistory(session.history, into: state)
            try state.setAttribute("history_columns", historyColumns)
        }
    }

    private static func writeOptimizer(_ optimizer: any Optimizer, network: Network, into group: HDF5Group) throws {
        try group.setAttribute("step_count", optimizer.stepCount)
        try group.setAttribute("learning_rate", Double(optimizer.learningRate))
        let trainable = network.namedParameters.filter { $0.parameter.trainable }
        for (stateName, tensors) in optimizer.state.sorted(by: { $0.key < $1.key }) {
            let stateGroup = try group.createGroup(stateName)
            for ((layer, parameter), tensor) in zip(trainable, tensors) {
                let layerGroup = stateGroup.contains(layer) ? try stateGroup.group(layer) : try stateGroup.createGroup(layer)
                try layerGroup.writeFloats(parameter.key, tensor.pointer, shape: tensor.shape)
            }
        }
    }
}
