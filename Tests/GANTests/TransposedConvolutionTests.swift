import GANLayers
import GANTensor
import Testing

@Suite("Transposed convolution, 2-D batch normalisation and reshape layers")
struct TransposedConvolutionTests {
    static func transposed(_ input: ImageShape, filters: Int, _ window: Window, outputPadding: Int = 0, seed: UInt64) -> TransposedConv2D {
        let layer = TransposedConv2D(input: input, filters: filters, window: window, outputPadding: outputPadding)
        var rng = RandomGenerator(seed: seed)
        rng.fillUniform(layer.kernel.value.pointer, count: layer.kernel.value.count, low: -0.5, high: 0.5)
        rng.fillUniform(layer.bias.value.pointer, count: filters, low: -0.5, high: 0.5)
        return layer
    }

    /// The definition, one input pixel at a time scattering its window: the reference the
    /// sgemm + col2im path must match. kernel [kh, kw, filters, inputChannels].
    static func naiveTransposed(_ layer: TransposedConv2D, _ input: [Float], batchSize: Int) -> [Float] {
        let i = layer.inputShape, o = layer.outputShape, w = layer.window
        var output = [Float](repeating: 0, count: batchSize * o.size)
        for b in 0..<batchSize {
            for pixel in 0..<(o.height * o.width) { for f in 0..<o.channels { output[b * o.size + pixel * o.channels + f] = layer.bias.value[f] } }
            for iy in 0..<i.height { for ix in 0..<i.width { for ky in 0..<w.height { for kx in 0..<w.width {
                let y = iy * w.stride - w.padding + ky, x = ix * w.stride - w.padding + kx
                guard y >= 0, y < o.height, x >= 0, x < o.width else { continue }
                for f in 0..<o.channels { for c in 0..<i.channels {
                    output[b * o.size + (y * o.width + x) * o.channels + f] +=
                        input[b * i.size + (iy * i.width + ix) * i.channels + c]
                        * layer.kernel.value[((ky * w.width + kx) * o.channels + f) * i.channels + c]
                } }
            } } } }
        }
        return output
    }

    /// (input, filters, window, output padding, expected output side (height, width)).
    static let geometries: [(ImageShape, Int, Window, Int, (Int, Int))] = [
        (ImageShape(height: 3, width: 3, channels: 2), 3, Window(size: 4, stride: 2, padding: 1), 0, (6, 6)),   // DCGAN's doubling
        (ImageShape(height: 3, width: 2, channels: 2), 2, Window(size: 4, stride: 2, padding: 1), 1, (7, 5)),   // odd side: 7 -> 3 -> 7
        (ImageShape(height: 2, width: 3, channels: 3), 2, Window(height: 3, width: 2, stride: 1, padding: 0), 0, (4, 4)),
        (ImageShape(height: 2, width: 2, channels: 1), 2, Window(size: 3, stride: 3, padding: 1), 2, (6, 6)),
    ]

    @Test(arguments: geometries.indices)
    func transposedConvolutionMatchesTheDefinition(index: Int) {
        let (shape, filters, window, padding, side) = Self.geometries[index]
        let layer = Self.transposed(shape, filters: filters, window, outputPadding: padding, seed: UInt64(index))
        #expect(layer.outputShape == ImageShape(height: side.0, width: side.1, channels: filters))
        var rng = RandomGenerator(seed: 11)
        let input = Tensor(shape: [3, shape.size])
        rng.fillUniform(input.pointer, count: input.count, low: -1, high: 1)
        let network = Network(layers: [layer])
        let output = network.forward(input.pointer, batchSize: 3, phase: .inference)
        let expected = Self.naiveTransposed(layer, input.array, batchSize: 3)
        for (k, value) in expected.enumerated() { #expect(abs(output[k] - value) < 1e-5, "output \(k)") }
        withExtendedLifetime(network) {}
    }

    @Test(arguments: geometries.indices)
    func transposedConvolutionGradients(index: Int) {
        let (shape, filters, window, padding, _) = Self.geometries[index]
        let network = Network(layers: [Self.transposed(shape, filters: filters, window, outputPadding: padding, seed: UInt64(index))])
        let result = GradientChecker().check(network, batchSize: 2)
        #expect(result.checked == 2 * shape.size + window.height * window.width * shape.channels * filters + filters)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    }

    /// Transposed convolution is the adjoint of the convolution with the same window and the
    /// same kernel values: <convT(x), y> = <x, conv(y)> with biases 0. The conv's kernel
    /// [kh, kw, its input channels, its filters] is the transposed layer's [kh, kw, filters, input channels].
    @Test func transposedConvolutionIsTheAdjointOfConvolution() {
        let small = ImageShape(height: 4, width: 4, channels: 3), window = Window(size: 4, stride: 2, padding: 1)
        let up = Self.transposed(small, filters: 2, window, seed: 4)
        up.bias.value.zero()
        let down = Conv2D(input: up.outputShape, filters: 3, window: window)
        // conv kernel [kh, kw, 2, 3] is the transposed layer's [kh, kw, filters = 2, channels = 3].
        down.kernel.value.copy(from: up.kernel.value.array)
        var rng = RandomGenerator(seed: 5)
        let x = Tensor(shape: [1, small.size]), y = Tensor(shape: [1, up.outputSize])
        rng.fillUniform(x.pointer, count: x.count, low: -1, high: 1)
        rng.fillUniform(y.pointer, count: y.count, low: -1, high: 1)
        let upNet = Network(layers: [up]), downNet = Network(layers: [down])
        let upX = upNet.forward(x.pointer, batchSize: 1, phase: .inference)
        var left: Double = 0
        for k in 0..<up.outputSize { left += Double(upX[k]) * Double(y[k]) }
        let downY = downNet.forward(y.pointer, batchSize: 1, phase: .inference)
        var right: Double = 0
        for k in 0..<small.size { right += Double(downY[k]) * Double(x[k]) }
        #expect(abs(left - right) < 1e-4 * max(1, abs(left)), "<convT x, y> = \(left), <x, conv y> = \(right)")
    }

    @Test func transposedGeometryIsCheckedBeforeBuilding() {
        // Output padding must lie below the stride; the result must come back to the input under the adjoint convolution.
        #expect(TransposedConv2D.outputSide(input: 7, window: 4, stride: 2, padding: 1, outputPadding: 0) == 14)
        #expect(TransposedConv2D.outputSide(input: 7, window: 4, stride: 2, padding: 1, outputPadding: 1) == 15)
        #expect(TransposedConv2D.outputSide(input: 7, window: 4, stride: 2, padding: 1, outputPadding: 2) == nil)
        #expect(TransposedConv2D.outputSide(input: 1, window: 2, stride: 1, padding: 2, outputPadding: 0) == nil)
        #expect(TransposedConv2D.outputSide(input: 0, window: 4, stride: 2, padding: 1, outputPadding: 0) == nil)
    }

    @Test func transposedParameterGradientsAccumulateAndInputGradientsOverwrite() {
        let layer = Self.transposed(ImageShape(height: 3, width: 3, channels: 2), filters: 2, Window(size: 4, stride: 2, padding: 1), seed: 9)
        let network = Network(layers: [layer])
        var rng = RandomGenerator(seed: 10)
        let input = Tensor(shape: [2, layer.inputSize]), upstream = Tensor(shape: [2, layer.outputSize])
        rng.fillUniform(input.pointer, count: input.count, low: -1, high: 1)
        rng.fillUniform(upstream.pointer, count: upstream.count, low: -1, high: 1)
        network.zeroGradients()
        network.forward(input.pointer, batchSize: 2, phase: .training)
        let first = Array(UnsafeBufferPointer(start: network.backward(upstream.pointer, needs: .all)!, count: input.count))
        let kernelOnce = layer.kernel.gradient.array
        let second = Array(UnsafeBufferPointer(start: network.backward(upstream.pointer, needs: .all)!, count: input.count))
        #expect(layer.kernel.gradient.array == kernelOnce.map { $0 * 2 }, "kernel gradients accumulate")
        #expect(second == first, "input gradients are overwritten, not added")
    }

    static func batchNorm2D(_ shape: ImageShape, seed: UInt64) -> BatchNormalization2D {
        let layer = BatchNormalization2D(shape: shape, epsilon: 1e-3, momentum: 0.9)
        var rng = RandomGenerator(seed: seed)
        rng.fillUniform(layer.gamma.value.pointer, count: shape.channels, low: 0.5, high: 1.5)
        rng.fillUniform(layer.beta.value.pointer, count: shape.channels, low: -0.5, high: 0.5)
        return layer
    }

    @Test(arguments: [Phase.training, .inference])
    func batchNormalization2DGradients(phase: Phase) {
        let shape = ImageShape(height: 3, width: 2, channels: 3)
        let layer = Self.batchNorm2D(shape, seed: 2)
        var rng = RandomGenerator(seed: 3)
        rng.fillUniform(layer.movingMean.value.pointer, count: 3, low: -0.3, high: 0.3)
        rng.fillUniform(layer.movingVariance.value.pointer, count: 3, low: 0.5, high: 2)
        let result = GradientChecker().check(Network(layers: [layer]), batchSize: 3, phase: phase)
        #expect(result.checked == 3 * shape.size + 2 * 3)
        #expect(result.failures.isEmpty, "\(phase): \(result.failures.prefix(5))")
    }

    /// Per channel over batch and pixels: each channel of the output has mean beta and (biased)
    /// variance gamma^2 * var / (var + epsilon); the running statistics move towards the batch's
    /// mean and unbiased variance over all n = batch * height * width values of the channel.
    @Test func batchNormalization2DNormalisesEachChannelOverBatchAndPixels() {
        let shape = ImageShape(height: 2, width: 3, channels: 2), batch = 4
        let layer = Self.batchNorm2D(shape, seed: 6)
        var rng = RandomGenerator(seed: 7)
        let input = Tensor(shape: [batch, shape.size])
        rng.fillUniform(input.pointer, count: input.count, low: -2, high: 3)
        for k in stride(from: 1, to: input.count, by: 2) { input[k] = input[k] * 4 + 10 }  // channel 1: another scale and mean
        let network = Network(layers: [layer])
        let output = network.forward(input.pointer, batchSize: batch, phase: .training)
        let n = batch * 6
        for c in 0..<2 {
            let xs = (0..<n).map { Double(input[$0 * 2 + c]) }, ys = (0..<n).map { Double(output[$0 * 2 + c]) }
            let mean = xs.reduce(0, +) / Double(n)
            let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
            let outMean = ys.reduce(0, +) / Double(n)
            let outVariance = ys.map { ($0 - outMean) * ($0 - outMean) }.reduce(0, +) / Double(n)
            let gamma = Double(layer.gamma.value[c]), beta = Double(layer.beta.value[c])
            #expect(abs(outMean - beta) < 1e-4, "channel \(c) mean")
            #expect(abs(outVariance - gamma * gamma * variance / (variance + 1e-3)) < 1e-3 * gamma * gamma, "channel \(c) variance")
            #expect(abs(Double(layer.movingMean.value[c]) - 0.1 * mean) < 1e-4 * max(1, abs(mean)), "channel \(c) running mean")
            let unbiased = variance * Double(n) / Double(n - 1)
            #expect(abs(Double(layer.movingVariance.value[c]) - (0.9 + 0.1 * unbiased)) < 1e-4 * max(1, unbiased), "channel \(c) running variance")
        }
        #expect(layer.kind == "batch_normalization2d" && layer.attributes["channels"] == 2 && layer.inputSize == 12)
    }

    @Test func reshapePassesValuesAndGradientsThrough() {
        let shape = ImageShape(height: 2, width: 2, channels: 3)
        let result = GradientChecker().check(Network(layers: [Reshape(output: shape)]), batchSize: 2)
        #expect(result.checked == 24 && result.failures.isEmpty)
        #expect(Reshape(output: shape).attributes == ["height": 2, "width": 2, "channels": 3])
    }

    /// The DCGAN generator's stack in miniature: dense -> reshape -> BN2D -> ReLU -> transposed
    /// conv -> BN2D -> ReLU -> transposed conv -> sigmoid, all gradients at once.
    @Test func aSmallDeconvolutionalNetwork() {
        let start = ImageShape(height: 2, width: 2, channels: 3)
        let window = Window(size: 4, stride: 2, padding: 1)
        let up1 = Self.transposed(start, filters: 2, window, outputPadding: 1, seed: 1)
        let up2 = Self.transposed(up1.outputShape, filters: 1, window, seed: 2)
        let network = Network(layers: [
            LayerGradientTests.dense(3, start.size, seed: 3), Reshape(output: start), Self.batchNorm2D(start, seed: 4),
            LeakyReLU(size: start.size, alpha: 0.2), up1, Self.batchNorm2D(up1.outputShape, seed: 5), Tanh(size: up1.outputSize),
            up2, Sigmoid(size: up2.outputSize),
        ])
        #expect(network.outputSize == 10 * 10)
        // Every coordinate: 9 inputs, 48 + 6 + 98 + 4 + 33 parameters.
        let result = GradientChecker().check(network, batchSize: 3)
        #expect(result.checked == 198)
        #expect(result.failures.count <= 2, "\(result.failures.prefix(5))")  // a leaky ReLU kink may fall inside the step
    }
}
