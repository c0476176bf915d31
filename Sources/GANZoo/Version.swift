public enum GANZooVersion { public static let string = "0.1.0" }
