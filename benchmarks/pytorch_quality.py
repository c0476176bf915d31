#!/usr/bin/env python3
"""The paper's MNIST recipe trained in PyTorch, measured with the paper's Parzen protocol, for a
side-by-side with `gan train --recipe models/paper-mnist/recipe.json` (quality, not speed).

    python3 benchmarks/pytorch_reference.py --quality --epochs 300 [--objective average|sum]
        [--device cpu|cuda] [--data data/mnist] [--json out.json] [--max-seconds S]

What it does, step for step as this project's trainer with that recipe:
- data: MNIST train[0:50000] to train, train[50000:60000] held out (the first 1,000 choose
  sigma), the 10,000 t10k images to test; pixels / 255; reshuffled every epoch, batch 100.
- generator: 100 -> ReLU 1200 -> ReLU 1200 -> sigmoid 784, weights U(-0.05, 0.05), biases 0,
  output bias at the logit of the training images' per-pixel mean clipped to [1e-7, 1 - 1e-7];
  noise U(-sqrt 3, sqrt 3).
- discriminator: dropout(keep 0.8) -> maxout 240 x 5 -> dropout(0.5) -> maxout 240 x 5 ->
  dropout(0.5) -> one logit; weights U(-0.005, 0.005), biases 0; inverted dropout.
- simultaneous update (the released code): one pass of D over [real; G(z)] with one dropout
  draw; D's objective 0.5 * (softplus(-l_real).mean() + softplus(l_fake).mean()) (`average`, the
  released code's) or without the 0.5 (`sum`); G's objective softplus(-l_fake).mean() from the
  same pass; both updates applied together.
- SGD as pylearn2's Momentum rule and ours: v = mu v - lr g; p += v. lr_t = max(0.1 /
  1.000004^t, 1e-6) per step; mu ramps linearly from 0.5 in epoch 1 to 0.7 in epoch 250.
- every --validate-every epochs: Parzen log-likelihood of validation[1000:2000] under 10,000
  samples, sigma chosen on validation[0:1000] (as `gan train --validate-every`); at each epoch in
  --test-at and at the end: the paper's protocol on the 10,000 test images.
What differs: PyTorch's random streams (initial weights, noise, dropout masks, shuffles) are not
ours, so the runs agree in distribution, not bit for bit.
"""
import gzip
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from pytorch_reference import paper_models

SIGMAS = np.logspace(-1, 0, 10)


def read_idx(folder, name):
    for candidate in (name + ".gz", name, name.replace("-idx", ".idx")):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as stream:
                raw = stream.read()
            dims = raw[3]
            shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"{folder}: no {name}; run `gan data fetch mnist` first")


def load(folder):
    train = read_idx(folder, "train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255
    test = read_idx(folder, "t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255
    return train[:50000], train[50000:60000], test


def uniform_(module, scale):
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.uniform_(layer.weight, -scale, scale)
            nn.init.zeros_(layer.bias)


def make_models(pixel_mean):
    generator, discriminator = paper_models()
    uniform_(generator, 0.05)
    uniform_(discriminator, 0.005)
    mean = torch.clamp(pixel_mean, 1e-7, 1 - 1e-7)
    with torch.no_grad():
        generator[4].bias.copy_(torch.log(mean / (1 - mean)))
    return generator, discriminator


def noise(count, device):
    return (torch.rand(count, 100, device=device) * 2 - 1) * math.sqrt(3)


@torch.no_grad()
def sample(generator, count, device):
    generator.eval()
    out = torch.cat([generator(noise(1000, device)) for _ in range(count // 1000)])
    generator.train()
    return out


@torch.no_grad()
def parzen(centres, points, sigma):
    """log p(x) per point under Gaussian kernels of width sigma at the centres (float64 sums)."""
    d = centres.shape[1]
    centre_norms = (centres * centres).sum(1)
    values = []
    for chunk in points.split(500):
        squared = (chunk * chunk).sum(1, keepdim=True) + centre_norms[None, :] - 2 * chunk @ centres.T
        exponent = -squared.double().clamp_min(0) / (2 * sigma * sigma)
        values.append(torch.logsumexp(exponent, dim=1) - math.log(centres.shape[0])
                      - d * math.log(sigma * math.sqrt(2 * math.pi)))
    return torch.cat(values)


def choose_sigma(centres, selection):
    scores = [parzen(centres, selection, s).mean().item() for s in SIGMAS]
    best = int(np.argmax(scores))
    return float(SIGMAS[best]), scores


def validate(generator, validation, device):
    centres = sample(generator, 10_000, device)
    sigma, _ = choose_sigma(centres, validation[:1000])
    return parzen(centres, validation[1000:2000], sigma).mean().item(), sigma


def test_protocol(generator, validation, test, device):
    centres = sample(generator, 10_000, device)
    sigma, _ = choose_sigma(centres, validation[:1000])
    values = parzen(centres, test, sigma)
    return {"mean": values.mean().item(), "standardError": (values.std() / math.sqrt(len(values))).item(), "sigma": sigma}


def train(args):
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    train_np, validation_np, test_np = load(args.data)
    data = torch.from_numpy(train_np).to(device)
    validation, test = torch.from_numpy(validation_np).to(device), torch.from_numpy(test_np).to(device)
    generator, discriminator = make_models(data.mean(0))
    generator.to(device), discriminator.to(device)
    g_params, d_params = list(generator.parameters()), list(discriminator.parameters())
    velocities = [torch.zeros_like(p) for p in g_params + d_params]
    half = 0.5 if args.objective == "average" else 1.0
    batch, step, start = 100, 0, time.time()
    curve, tests = [], []
    test_at = set(args.test_at)
    for epoch in range(1, args.epochs + 1):
        momentum = 0.5 + 0.2 * min(max((epoch - 1) / 249, 0), 1)
        order = torch.randperm(len(data), device=device)
        for first in range(0, len(data), batch):
            real = data[order[first:first + batch]]
            fake = generator(noise(len(real), device))
            logits = discriminator(torch.cat([real, fake])).squeeze(1)
            real_logits, fake_logits = logits[:len(real)], logits[len(real):]
            d_obj = half * (functional.softplus(-real_logits).mean() + functional.softplus(fake_logits).mean())
            g_obj = functional.softplus(-fake_logits).mean()
            d_grads = torch.autograd.grad(d_obj, d_params, retain_graph=True)
            g_grads = torch.autograd.grad(g_obj, g_params)
            lr = max(0.1 / 1.000004 ** step, 1e-6)
            with torch.no_grad():
                torch._foreach_mul_(velocities, momentum)
                torch._foreach_add_(velocities, list(g_grads) + list(d_grads), alpha=-lr)
                torch._foreach_add_(g_params + d_params, velocities)
            step += 1
        if epoch % args.validate_every == 0:
            score, sigma = validate(generator, validation, device)
            curve.append({"epoch": epoch, "validationParzen": score, "sigma": sigma, "seconds": time.time() - start})
            print(f"epoch {epoch:4d}  D obj {d_obj.item():.4f}  G obj {g_obj.item():.4f}  "
                  f"validation Parzen {score:8.2f} (sigma {sigma:.3f})  {time.time() - start:7.1f} s", flush=True)
        out_of_time = args.max_seconds is not None and time.time() - start > args.max_seconds
        if not getattr(args, "no_test", False) and (epoch in test_at or epoch == args.epochs or out_of_time):
            result = test_protocol(generator, validation, test, device)
            tests.append(dict(result, epoch=epoch))
            print(f"epoch {epoch:4d}  test Parzen {result['mean']:.2f} ± {result['standardError']:.2f}", flush=True)
        report = {"framework": f"pytorch {torch.__version__}", "device": str(device), "objective": args.objective,
                  "epochs": epoch, "seed": args.seed, "seconds": time.time() - start, "curve": curve, "tests": tests}
        if args.json:
            with open(args.json + ".tmp", "w") as handle:
                json.dump(report, handle, indent=2)
            os.replace(args.json + ".tmp", args.json)
            # The curve also as `gan train --validate-every` logs it, for `gan plot`.
            with open(os.path.splitext(args.json)[0] + "-validation.csv", "w") as handle:
                handle.write("epoch,step,validation_parzen,sigma,seconds\n")
                for row in curve:
                    handle.write(f"{row['epoch']},{row['epoch'] * 500},{row['validationParzen']:.3f},{row['sigma']:.5f},"
                                 f"{row['seconds']:.2f}\n")
        if out_of_time:
            break
    return report
