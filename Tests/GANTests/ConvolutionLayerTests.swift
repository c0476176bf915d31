import GANLayers
import GANTensor
import Testing

@Suite("Convolution, pooling and flatten layers")
struct ConvolutionLayerTests {
    static func conv(_ input: ImageShape, filters: Int, _ window: Window, seed: UInt64) -> Conv2D {
        let layer = Conv2D(input: input, filters: filters, window: window)
        var rng = RandomGenerator(seed: seed)
        rng.fillUniform(layer.kernel.value.pointer, count: layer.kernel.value.count, low: -0.5, high: 0.5)
        rng.fillUniform(layer.bias.value.pointer, count: filters, low: -0.5, high: 0.5)
        return layer
    }

    /// The definition, one output at a time: the reference the im2col + sgemm path must match.
    static func naiveConvolution(_ layer: Conv2D, _ input: [Float], batchSize: Int) -> [Float] {
        let i = layer.inputShape, o = layer.outputShape, w = layer.window
        var output = [Float](repeating: 0, count: batchSize * o.size)
        for b in 0..<batchSize { for oy in 0..<o.height { for ox in 0..<o.width { for f in 0..<o.channels {
            var sum = layer.bias.value[f]
            for ky in 0..<w.height { for kx in 0..<w.width {
                let y = oy * w.stride - w.padding + ky, x = ox * w.stride - w.padding + kx
                guard y >= 0, y < i.height, x >= 0, x < i.width else { continue }
                for c in 0..<i.channels {
                    let pixel = input[b * i.size + (y * i.width + x) * i.channels + c]
                    sum += pixel * layer.kernel.value[((ky * w.width + kx) * i.channels + c) * o.channels + f]
                }
            } }
            output[b * o.size + (oy * o.width + ox) * o.channels + f] = sum
        } } } }
        return output
    }

    static let geometries: [(ImageShape, Int, Window)] = [
        (ImageShape(height: 5, width: 5, channels: 1), 2, Window(size: 3)),
        (ImageShape(height: 6, width: 5, channels: 2), 3, Window(size: 3, stride: 2, padding: 1)),
        (ImageShape(height: 4, width: 7, channels: 3), 2, Window(height: 2, width: 3, stride: 1, padding: 2)),
    ]

    @Test(arguments: geometries.indices)
    func convolutionMatchesTheDefinition(index: Int) {
        let (shape, filters, window) = Self.geometries[index]
        let layer = Self.conv(shape, filters: filters, window, seed: UInt64(index))
        var rng = RandomGenerator(seed: 11)
        let input = Tensor(shape: [2, shape.size])
        rng.fillUniform(input.pointer, count: input.count, low: -1, high: 1)
        let network = Network(layers: [layer])  // owns the output buffer: kept alive while it is read
        let output = network.forward(input.pointer, batchSize: 2, phase: .inference)
        let expected = Self.naiveConvolution(layer, input.array, batchSize: 2)
        for (k, value) in expected.enumerated() { #expect(abs(output[k] - value) < 1e-5, "output \(k)") }
        withExtendedLifetime(network) {}
    }

    @Test(arguments: geometries.indices)
    func convolutionGradients(index: Int) {
        let (shape, filters, window) = Self.geometries[index]
        let network = Network(layers: [Self.conv(shape, filters: filters, window, seed: UInt64(index))])
        let result = GradientChecker().check(network, batchSize: 2)
        #expect(result.checked == 2 * shape.size + window.height * window.width * shape.channels * filters + filters)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    }

    @Test(arguments: [Window(size: 2, stride: 2), Window(size: 3, stride: 2, padding: 1), Window(height: 2, width: 3, stride: 1)])
    func poolingGradients(window: Window) {
        let shape = ImageShape(height: 6, width: 5, channels: 2)
        for layer in [MaxPooling2D(input: shape, window: window) as any Layer, AveragePooling2D(input: shape, window: window)] {
            // Max pooling has a kink where two window values tie; random inputs almost never do.
            let result = GradientChecker().check(Network(layers: [layer]), batchSize: 2)
            #expect(result.checked == 2 * shape.size)
            #expect(result.failures.isEmpty, "\(layer.kind): \(result.failures.prefix(5))")
        }
    }

    @Test func poolingValuesByHand() {
        // One 3x3 image, one channel, 2x2 windows at stride 1 and padding 0 -> 2x2 output.
        let shape = ImageShape(height: 3, width: 3, channels: 1)
        let input = Tensor(shape: [1, 9], values: [1, 5, 2, 0, -1, 7, 3, 4, 6])
        let maximum = Network(layers: [MaxPooling2D(input: shape, window: Window(size: 2))])
        let average = Network(layers: [AveragePooling2D(input: shape, window: Window(size: 2))])
        let maxOut = maximum.forward(input.pointer, batchSize: 1, phase: .inference)
        #expect(Array(UnsafeBufferPointer(start: maxOut, count: 4)) == [5, 7, 4, 7])
        let averageOut = average.forward(input.pointer, batchSize: 1, phase: .inference)
        #expect(Array(UnsafeBufferPointer(start: averageOut, count: 4)) == [1.25, 3.25, 1.5, 4])
        // Padding 1, 2x2 at stride 2: the corner window sees only pixel (0, 0), and averages over it alone.
        let padded = Network(layers: [AveragePooling2D(input: shape, window: Window(size: 2, stride: 2, padding: 1))])
        let paddedOut = padded.forward(input.pointer, batchSize: 1, phase: .inference)
        #expect(Array(UnsafeBufferPointer(start: paddedOut, count: 4)) == [1, 3.5, 1.5, 4])
    }

    @Test func aSmallConvolutionalNetwork() {
        let image = ImageShape(height: 8, width: 8, channels: 1)
        let first = Self.conv(image, filters: 3, Window(size: 3, padding: 1), seed: 3)
        let pool = MaxPooling2D(input: first.outputShape, window: Window(size: 2, stride: 2))
        let second = Self.conv(pool.outputShape, filters: 2, Window(size: 3), seed: 4)
        let average = AveragePooling2D(input: second.outputShape, window: Window(size: 2, stride: 2))
        let network = Network(layers: [first, Tanh(size: first.outputSize), pool, second, average,
                                       Flatten(input: average.outputShape), LayerGradientTests.dense(average.outputSize, 3, seed: 5)])
        // 223 coordinates in all (128 inputs, 95 parameters); probe a random 150.
        let result = GradientChecker().check(network, batchSize: 2, coordinates: 150)
        #expect(result.checked == 150)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    }

    @Test func flattenPassesValuesAndGradientsThrough() {
        let result = GradientChecker().check(Network(layers: [Flatten(input: ImageShape(height: 2, width: 3, channels: 2))]), batchSize: 3)
        #expect(result.checked == 36)
        #expect(result.failures.isEmpty)
    }

    @Test func convolutionParameterGradientsAccumulateAndInputGradientsOverwrite() {
        let layer = Self.conv(ImageShape(height: 4, width: 4, channels: 2), filters: 2, Window(size: 3, padding: 1), seed: 9)
        let network = Network(layers: [layer])
        var rng = RandomGenerator(seed: 10)
        let input = Tensor(shape: [2, 32]), upstream = Tensor(shape: [2, layer.outputSize])
        rng.fillUniform(input.pointer, count: input.count, low: -1, high: 1)
        rng.fillUniform(upstream.pointer, count: upstream.count, low: -1, high: 1)
        network.zeroGradients()
        network.forward(input.pointer, batchSize: 2, phase: .training)
        let first = Array(UnsafeBufferPointer(start: network.backward(upstream.pointer, needs: .all)!, count: 64))
        let kernelOnce = layer.kernel.gradient.array, biasOnce = layer.bias.gradient.array
        let second = Array(UnsafeBufferPointer(start: network.backward(upstream.pointer, needs: .all)!, count: 64))
        #expect(layer.kernel.gradient.array == kernelOnce.map { $0 * 2 }, "kernel gradients accumulate")
        for (twice, once) in zip(layer.bias.gradient.array, biasOnce) {
            #expect(abs(twice - 2 * once) <= 1e-5 * abs(once), "bias gradients accumulate")  // summed in another order
        }
        #expect(second == first, "input gradients are overwritten, not added")
        network.zeroGradients()
        network.backward(upstream.pointer, needs: .input)
        #expect(layer.kernel.gradient.array.allSatisfy { $0 == 0 }, "an input-only pass leaves the kernel gradient alone")
    }
}
