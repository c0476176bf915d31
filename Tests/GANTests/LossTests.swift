import GANCore
import GANTensor
import GANZoo
import Testing

@Suite("Loss plugins")
struct LossTests {
    static let names = Registry.losses.map(\.name)

    /// Central differences in Double of the Float loss value at moderate logits.
    @Test(arguments: names)
    func gradientsMatchFiniteDifferences(name: String) throws {
        let loss = try Registry.loss(named: name).make()
        let terms: [(String, (Float) -> LossTerm)] = [
            ("real", loss.discriminatorReal), ("fake", loss.discriminatorFake), ("generator", loss.generator),
        ]
        for (label, term) in terms {
            var checked = 0
            for logit in stride(from: Float(-6), through: 6, by: 0.25) {
                let h: Float = 1e-2
                let right = (term(logit + h).value - term(logit).value) / h
                let left = (term(logit).value - term(logit - h).value) / h
                // A kink (hinge's margin) lies within the step when the one-sided slopes disagree.
                if abs(right - left) > 0.1 { continue }
                let numeric = (term(logit + h).value - term(logit - h).value) / (2 * h)
                let analytic = term(logit).gradient
                #expect(abs(numeric - analytic) < 2e-3 + 2e-3 * abs(numeric), "\(name) \(label) at \(logit): \(numeric) vs \(analytic)")
                checked += 1
            }
            #expect(checked >= 40, "\(name) \(label): only \(checked) points away from kinks")
        }
    }

    @Test(arguments: names)
    func finiteAtExtremeLogits(name: String) throws {
        let loss = try Registry.loss(named: name).make()
        for logit: Float in [-1e4, -200, -90, 90, 200, 1e4] {
            for term in [loss.discriminatorReal(logit: logit), loss.discriminatorFake(logit: logit), loss.generator(logit: logit)] {
                #expect(term.value.isFinite && term.gradient.isFinite, "\(name) at \(logit): \(term)")
            }
        }
    }

    @Test func valuesAreTheCrossEntropiesOfThePaper() throws {
        let d: Float = 0.3  // D(x) = sigmoid(l)
        let logit = logFloat(d / (1 - d))
        let saturating = try Registry.loss(named: "saturating").make()
        let nonSaturating = try Registry.loss(named: "non-saturating").make()
        #expect(abs(saturating.generator(logit: logit).value - logFloat(1 - d)) < 1e-5)
        #expect(abs(nonSaturating.generator(logit: logit).value + logFloat(d)) < 1e-5)
        #expect(abs(nonSaturating.discriminatorReal(logit: logit).value + logFloat(d)) < 1e-5)
        #expect(abs(nonSaturating.discriminatorFake(logit: logit).value + logFloat(1 - d)) < 1e-5)
    }

    /// The reason both exist: when D confidently rejects G's samples, the saturating
    /// generator gradient vanishes while the non-saturating one stays near -1.
    @Test func saturationAtVeryNegativeLogits() throws {
        let saturating = try Registry.loss(named: "saturating").make()
        let nonSaturating = try Registry.loss(named: "non-saturating").make()
        for logit: Float in [-10, -20, -50] {
            #expect(abs(saturating.generator(logit: logit).gradient) < 1e-4)
            #expect(abs(nonSaturating.generator(logit: logit).gradient + 1) < 1e-4)
        }
    }
}
