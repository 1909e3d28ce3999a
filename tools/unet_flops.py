"""Counts the floating-point operations of one SD 1.5 UNet call, for the calibration benchmark.

What it prints: the FLOP (multiply and add counted as 2) of the UNet in tools/sdarch.py (diffusers'
SD 1.5 architecture) at each --size, batch 1 and batch 2 (one guided step), split into convolutions,
linear layers (projections, feed-forward) and the attention products (Q·Kᵀ and scores·V). Normalisation,
activations and softmax are left out (a few percent). The model runs once per size on random weights
with forward hooks reading the shapes (about 4 GB of RAM and a minute; run it under
`flock /work/notes/bigjob.lock` on the shared machine). Its output for 256, 512 and 768 is in
docs/benchmarks.md and atelier.bench.CalibrationBenchmark uses the 512 figure.

    /usr/bin/python3 tools/unet_flops.py [--size 512 ...]
"""

import argparse
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sdarch import SD15_UNET, Attention, UNet2DCondition  # noqa: E402


def count(unet, size):
    totals = {"conv": 0, "linear": 0, "attention": 0}

    def conv_hook(m, inputs, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        totals["conv"] += 2 * out.numel() * k

    def linear_hook(m, inputs, out):
        totals["linear"] += 2 * out.numel() * m.in_features

    def attention_hook(m, inputs, out):
        x = inputs[0]
        context = inputs[1] if len(inputs) > 1 and inputs[1] is not None else x
        b, n, m_ = x.shape[0], x.shape[1], context.shape[1]
        inner = m.heads * m.head_dim
        totals["attention"] += 2 * (2 * b * n * m_ * inner)  # Q·Kᵀ and scores·V

    hooks = []
    for mod in unet.modules():
        if isinstance(mod, nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv_hook))
        elif isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(linear_hook))
        elif isinstance(mod, Attention):
            hooks.append(mod.register_forward_hook(attention_hook))
    side = size // 8
    with torch.no_grad():
        unet(torch.randn(1, 4, side, side), torch.tensor([500.0]), torch.randn(1, 77, 768))
    for h in hooks:
        h.remove()
    return totals


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, nargs="+", default=[256, 512, 768])
    args = p.parse_args()
    torch.manual_seed(0)
    unet = UNet2DCondition(SD15_UNET).eval()
    for size in args.size:
        t = count(unet, size)
        total = sum(t.values())
        parts = ", ".join(f"{k} {v / 1e9:.1f}" for k, v in t.items())
        print(
            f"{size}x{size}: batch 1 {total / 1e9:.1f} GFLOP ({parts}); "
            f"guided step (batch 2) {2 * total / 1e9:.1f} GFLOP"
        )


if __name__ == "__main__":
    main()
