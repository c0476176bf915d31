import GANCore
import GANLayers
import GANZoo
import Testing

@Suite("Seeded training")
struct ReproducibilityTests {
    static func train(seed: UInt64) throws -> TrainingSession {
        let session = try TrainingSession(configuration: Support.tinyConfiguration(epochs: 2, seed: seed))
        try session.trainEpoch()
        try session.trainEpoch()
        return session
    }

    static func bits(_ session: TrainingSession) -> [[UInt32]] {
        (session.model.generator.namedParameters + session.model.discriminator.namedParameters)
            .map { $0.parameter.value.array.map(\.bitPattern) }
    }

    @Test func aSeededTwoEpochRunIsReproducible() throws {
        let first = try Self.train(seed: 5), second = try Self.train(seed: 5)
        #expect(Self.bits(first) == Self.bits(second))
        #expect(first.history.map(\.discriminatorLoss) == second.history.map(\.discriminatorLoss))
        #expect(first.position == TrainingPosition(epoch: 2, step: 32))
        #expect(first.history.allSatisfy { $0.discriminatorLoss.isFinite && $0.generatorLoss.isFinite })
        let other = try Self.train(seed: 6)
        #expect(Self.bits(other) != Self.bits(first), "a different seed gives different weights")
    }

    /// Two threads split the products; the same seed and thread count still give the same bits.
    @Test func twoThreadRunsAreReproducibleToo() throws {
        func run() throws -> TrainingSession {
            var configuration = Support.tinyConfiguration(epochs: 1, seed: 8)
            configuration.threads = 2
            configuration.architectureConfiguration = try JSONValue(parsing: #"{"generatorHiddenSizes":[300],"discriminatorHiddenSizes":[200]}"#)
            let session = try TrainingSession(configuration: configuration)
            try session.trainEpoch()
            return session
        }
        let first = try run(), second = try run()
        #expect(Self.bits(first) == Self.bits(second))
    }

    @Test func impossibleConfigurationsAreRefusedBeforeTraining() {
        var configuration = Support.tinyConfiguration()
        configuration.batchSize = 401  // digit 4 has 400 training images
        #expect(throws: TrainingError.self) { try TrainingSession(configuration: configuration) }
        configuration = Support.tinyConfiguration()
        configuration.digits = [42]
        #expect(throws: (any Error).self) { try TrainingSession(configuration: configuration) }
        configuration = Support.tinyConfiguration()
        configuration.k = 0
        #expect(throws: TrainingError.self) { try TrainingSession(configuration: configuration) }
    }
}
