import GANLogging

extension TrainingCurves {
    /// The curves of a weights file's per-epoch history (x: the epoch).
    public init(title: String, history: [EpochSummary], validation: [(x: Double, y: Double)] = []) {
        self.init(title: title, points: history.map {
            Point(x: Double($0.epoch), discriminatorLoss: Double($0.discriminatorLoss), generatorLoss: Double($0.generatorLoss),
                  realScore: Double($0.realScore), fakeScore: Double($0.fakeScore))
        }, validation: validation)
    }
}
