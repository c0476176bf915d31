#!/usr/bin/env python3
"""Scaffolds a GAN plugin: the folder and file, the Package.swift line, the registry entry.

    python3 scripts/new-plugin.py --kind loss --name wasserstein-like
    python3 scripts/new-plugin.py --kind architecture --name wide-mlp [--root DIR]

The new plugin compiles and is registered at once, so `make test` runs the conformance suite on
it; the generated body is a working starting point (a loss: the cross-entropy terms; an
architecture: a small MLP through LayerStack) with comments where your own code goes.
"""
import argparse
import os
import re
import sys

LOSS = '''import GANCore
import GANTensor

/// TODO: describe the loss (paper, value function) and its gradients.
///
/// Per sample, on the discriminator's raw score l (the logit): each method returns the value and
/// its derivative with respect to l. Work on logits (softplus, not log(sigmoid)).
public struct {type}: Loss {{
    public static let name = "{name}"
    public static let summary = "TODO: one line for `gan list`"

    public init() {{}}

    public func discriminatorReal(logit: Float) -> LossTerm {{ .crossEntropy(logit: logit, real: true) }}
    public func discriminatorFake(logit: Float) -> LossTerm {{ .crossEntropy(logit: logit, real: false) }}
    public func generator(logit: Float) -> LossTerm {{ .crossEntropy(logit: logit, real: true) }}
}}
'''

ARCHITECTURE = '''import GANCore
import GANLayers
import GANTensor

/// TODO: describe the architecture. The generator maps latentSize noise to sampleSize pixels in
/// [0, 1]; the discriminator ends in one logit (no sigmoid).
public struct {type}: Architecture {{
    public struct Configuration: Codable, Sendable, Equatable {{
        /// Hidden widths, input side first. Every field needs a documented default.
        public var generatorHiddenSizes: [Int] = [256]
        public var discriminatorHiddenSizes: [Int] = [256]
        public var initializer: Initializer = .glorotUniform

        public init() {{}}
    }}

    public static let name = "{name}"
    public static let summary = "TODO: one line for `gan list`"
    public static let defaultConfiguration = Configuration()

    public let configuration: Configuration

    public init(configuration: Configuration) throws {{
        try ConfigurationCheck.positive(configuration.generatorHiddenSizes, "generatorHiddenSizes", plugin: Self.name)
        try ConfigurationCheck.positive(configuration.discriminatorHiddenSizes, "discriminatorHiddenSizes", plugin: Self.name)
        self.configuration = configuration
    }}

    /// Sizes are checked before anything is built (see Limits).
    public func checkSizes(for problem: Problem) throws(ConfigurationError) {{
        try ConfigurationCheck.layers([problem.latentSize] + configuration.generatorHiddenSizes + [problem.sampleSize],
                                      network: "generator", plugin: Self.name)
        try ConfigurationCheck.layers([problem.sampleSize] + configuration.discriminatorHiddenSizes + [1],
                                      network: "discriminator", plugin: Self.name)
    }}

    public func makeGenerator(for problem: Problem, rng: inout RandomGenerator) -> Network {{
        let stack = LayerStack(activation: .relu, initializer: configuration.initializer)
        let layers = stack.layers(input: problem.latentSize, hidden: configuration.generatorHiddenSizes,
                                  output: problem.sampleSize, rng: &rng)
        return LayerStack.finishGenerator(layers, problem: problem, biasFromDataMean: true)
    }}

    public func makeDiscriminator(for problem: Problem, rng: inout RandomGenerator) -> Network {{
        let stack = LayerStack(activation: .leakyReLU, initializer: configuration.initializer)
        return Network(layers: stack.layers(input: problem.sampleSize, hidden: configuration.discriminatorHiddenSizes,
                                            output: 1, rng: &rng))
    }}
}}
'''


def type_name(kind, name):
    base = "".join(part.capitalize() for part in name.split("-"))
    return base + "Loss" if kind == "loss" and not base.endswith("Loss") else base


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["loss", "architecture"], required=True)
    parser.add_argument("--name", required=True, help="stable kebab-case name, e.g. my-loss")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", args.name):
        sys.exit(f"--name {args.name!r}: use kebab-case letters and digits, e.g. my-loss")
    kind, name = args.kind, args.name
    type_ = type_name(kind, name)
    folder = os.path.join(args.root, "Plugins", type_)
    package = os.path.join(args.root, "Package.swift")
    registry = os.path.join(args.root, "Sources", "GANZoo", "Registry.swift")
    package_text, registry_text = open(package).read(), open(registry).read()
    if os.path.exists(folder):
        sys.exit(f"{folder} exists already")
    if f'"{name}"' in open(registry).read() or re.search(rf'static let name = "{re.escape(name)}"',
                                                        "".join(open(os.path.join(dp, f)).read()
                                                                for dp, _, fs in os.walk(os.path.join(args.root, "Plugins"))
                                                                for f in fs if f.endswith(".swift"))):
        sys.exit(f"a plugin named {name!r} exists already")

    marker = "\n]\n\nlet package"
    if marker not in package_text:
        sys.exit("Package.swift: cannot find the end of pluginTargets")
    package_text = package_text.replace(marker, f'\n    plugin("{type_}Plugin", folder: "{type_}"),{marker}', 1)
    list_name = "losses" if kind == "loss" else "architectures"
    factory = "LossFactory" if kind == "loss" else "ArchitectureFactory"
    match = re.search(rf"public static let {list_name}: \[\w+\] = \[\n(.*?)\n    \]", registry_text, re.S)
    if not match:
        sys.exit(f"Registry.swift: cannot find the {list_name} list")
    registry_text = (registry_text[:match.end(1)] + f"\n        {factory}({type_}.self)," + registry_text[match.end(1):])
    registry_text = registry_text.replace("import GANCore\n", f"import GANCore\nimport {type_}Plugin\n", 1)

    os.makedirs(folder)
    with open(os.path.join(folder, f"{type_}.swift"), "w") as handle:
        handle.write((LOSS if kind == "loss" else ARCHITECTURE).format(type=type_, name=name))
    open(package, "w").write(package_text)
    open(registry, "w").write(registry_text)
    print(f"created Plugins/{type_}/{type_}.swift, added plugin(\"{type_}Plugin\", folder: \"{type_}\") to Package.swift "
          f"and {factory}({type_}.self) to Registry.swift; `make test` now checks it")


if __name__ == "__main__":
    main()
