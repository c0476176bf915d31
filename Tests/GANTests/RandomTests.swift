import GANTensor
import Testing

@Suite("Seeded random streams")
struct RandomTests {
    @Test func sameSeedSameStreamAndStatesRestore() throws {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var restored = try RandomGenerator(state: a.state)
        #expect(restored.next() == a.next())
        #expect(RandomGenerator(seed: 42, stream: 0) != RandomGenerator(seed: 42, stream: 1))
        #expect(throws: RandomGeneratorError.self) { try RandomGenerator(state: [0, 0, 0, 0]) }
    }

    @Test func uniformAndNormalHaveTheirMoments() {
        var rng = RandomGenerator(seed: 1)
        let count = 100_000
        var values = [Float](repeating: 0, count: count)
        rng.fillUniform(&values, count: count, low: -2, high: 2)
        #expect(values.allSatisfy { $0 >= -2 && $0 < 2 })
        let mean = values.reduce(0, +) / Float(count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(count)
        #expect(abs(mean) < 0.02 && abs(variance - 16.0 / 12) < 0.03)
        rng.fillNormal(&values, count: count - 1, mean: 1, std: 3)  // odd count: the last pair is cut
        let normal = values.dropLast()
        let normalMean = normal.reduce(0, +) / Float(normal.count)
        let normalVariance = normal.map { ($0 - normalMean) * ($0 - normalMean) }.reduce(0, +) / Float(normal.count)
        #expect(abs(normalMean - 1) < 0.05 && abs(normalVariance - 9) < 0.2)
        #expect(normal.allSatisfy { $0.isFinite })
    }

    @Test func shuffleIsAPermutation() {
        var rng = RandomGenerator(seed: 3)
        var order = Array(0..<1000)
        rng.shuffle(&order)
        #expect(order != Array(0..<1000) && order.sorted() == Array(0..<1000))
    }
}
