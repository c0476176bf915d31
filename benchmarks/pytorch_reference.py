#!/usr/bin/env python3
"""The same models and training loop as `gan bench`, in PyTorch (CPU), for side-by-side figures.

    python3 benchmarks/pytorch_reference.py --threads 1 --batch-size 100 [--model paper|seed-mlp|dcgan] [--json out.json]
    python3 benchmarks/pytorch_reference.py --quality --epochs 300 [--objective average|sum] [--device cuda]

--quality trains the paper's MNIST recipe on the full MNIST and measures it with the paper's Parzen
protocol instead (benchmarks/pytorch_quality.py says exactly what it does).

One iteration = one discriminator step on B real + B generated samples and one generator step on
B fresh noise vectors (alternating, k = 1), SGD with momentum 0.5, learning rate 0.1, losses on
logits (BCEWithLogits; non-saturating generator loss). The discriminator sees the real and the
generated batch in two passes, as PyTorch GAN code usually does. Reports the median of --repeats
timed runs of --seconds each, and the time to draw 10,000 samples from the generator.
"""
import argparse
import json
import os
import statistics
import time

import torch
from torch import nn


class Maxout(nn.Module):
    def __init__(self, inputs, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(inputs, units * pieces)

    def forward(self, x):
        return self.linear(x).view(-1, self.units, self.pieces).max(dim=2).values


def paper_models():
    generator = nn.Sequential(nn.Linear(100, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(),
                              nn.Linear(1200, 784), nn.Sigmoid())
    discriminator = nn.Sequential(nn.Dropout(0.2), Maxout(784, 240, 5), nn.Dropout(0.5), Maxout(240, 240, 5),
                                  nn.Dropout(0.5), nn.Linear(240, 1))
    return generator, discriminator


def seed_models():
    generator = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid())
    discriminator = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 1))
    return generator, discriminator


def dcgan_models():
    """The `dcgan` plugin's default networks (generatorChannels [64, 32], discriminatorChannels
    [32, 64, 128]) on 28 x 28 images: the same layers, in PyTorch's channels-first layout."""
    generator = nn.Sequential(nn.Linear(100, 64 * 7 * 7), nn.Unflatten(1, (64, 7, 7)), nn.BatchNorm2d(64), nn.ReLU(),
                              nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                              nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1), nn.Sigmoid(), nn.Flatten())
    discriminator = nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
                                  nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
                                  nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
                                  nn.Flatten(), nn.Linear(128 * 3 * 3, 1))
    return generator, discriminator


MODELS = {"paper": paper_models, "seed-mlp": seed_models, "dcgan": dcgan_models}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="paper")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json")
    parser.add_argument("--quality", action="store_true", help="train the paper recipe on MNIST and measure Parzen")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--objective", choices=["average", "sum"], default="average")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "mnist"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--validate-every", type=int, default=5)
    parser.add_argument("--max-seconds", type=float, help="end after the epoch in which this much time has passed")
    parser.add_argument("--test-at", type=int, nargs="*", default=[25, 50, 100, 150, 200, 250, 300, 400, 500])
    parser.add_argument("--no-test", action="store_true", help="--quality: end without the test protocol (timing an epoch)")
    parser.add_argument("--parzen", action="store_true",
                        help="time the paper's Parzen protocol alone (an untrained paper generator; as gan evaluate)")
    args = parser.parse_args()
    if not 1 <= args.epochs <= 100_000 or not 1 <= args.validate_every <= 100_000:
        parser.error("--epochs and --validate-every must lie in 1...100000")
    if args.parzen:
        import pytorch_quality
        torch.set_num_threads(args.threads)
        torch.manual_seed(args.seed)
        train, validation, test = (torch.from_numpy(part) for part in pytorch_quality.load(args.data))
        generator, _ = pytorch_quality.make_models(train.mean(0))
        result = pytorch_quality.test_protocol(generator, validation, test, torch.device("cpu"))
        print(f"pytorch parzen {result['mean']:.1f} (sigma {result['sigma']:.3f})")
        return
    if args.quality:
        import pytorch_quality
        torch.set_num_threads(args.threads)
        pytorch_quality.train(args)  # writes --json after every epoch
        return

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    generator, discriminator = MODELS[args.model]()
    g_opt = torch.optim.SGD(generator.parameters(), lr=0.1, momentum=0.5)
    d_opt = torch.optim.SGD(discriminator.parameters(), lr=0.1, momentum=0.5)
    loss = nn.BCEWithLogitsLoss()
    b = args.batch_size
    real = torch.rand(b, 784)
    ones, zeros = torch.ones(b, 1), torch.zeros(b, 1)

    def iteration():
        z = torch.rand(b, 100) * 2 - 1
        fake = generator(z).detach()
        d_opt.zero_grad(set_to_none=True)
        d_loss = loss(discriminator(real), ones) + loss(discriminator(fake), zeros)
        d_loss.backward()
        d_opt.step()
        z = torch.rand(b, 100) * 2 - 1
        g_opt.zero_grad(set_to_none=True)
        g_loss = loss(discriminator(generator(z)), ones)
        g_loss.backward()
        g_opt.step()

    for _ in range(5):
        iteration()
    runs = []
    for _ in range(args.repeats):
        start, count = time.perf_counter(), 0
        while True:
            iteration()
            count += 1
            if time.perf_counter() - start >= args.seconds:
                break
        runs.append(count / (time.perf_counter() - start))

    generator.eval()
    sample_runs = []
    with torch.no_grad():
        for _ in range(10):  # warm up, as gan bench does
            generator(torch.rand(1000, 100) * 2 - 1)
        for _ in range(max(3, args.repeats // 2)):
            start = time.perf_counter()
            for _ in range(10):
                generator(torch.rand(1000, 100) * 2 - 1)
            sample_runs.append(10_000 / (time.perf_counter() - start))
    result = {"framework": f"pytorch {torch.__version__}", "model": args.model, "batchSize": b, "threads": args.threads,
              "iterationsPerSecond": statistics.median(runs), "iterationRuns": runs,
              "samplesPerSecond": statistics.median(sample_runs)}
    print(f"pytorch {args.model:8s} batch {b:4d} threads {args.threads}: {result['iterationsPerSecond']:8.1f} it/s  "
          f"{result['samplesPerSecond']:10.0f} samples/s")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
