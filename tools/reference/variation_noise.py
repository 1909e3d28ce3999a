#!/usr/bin/env python3
"""Reference values for A1111's variation seeds (atelier.pipeline.VariationNoise).

A1111 (modules/rng.py, ImageRNG.first) draws each image's start noise of shape [C, H, W] from the
seed and, when the variation strength is not 0, the variation seed's noise of the same shape, and
blends them with its `slerp(strength, noise, subnoise)`: vectors along dim=1 (the height axis), one
angle per channel and column, and a linear blend `low * val + high * (1 - val)` when the mean cosine
exceeds 0.9995. This script restates that function from its description (torch, float32) and writes
core/src/test/resources/reference/variation_noise.json.

Usage: /usr/bin/python3 tools/reference/variation_noise.py
"""
import json
import pathlib

import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHAPE = (4, 8, 6)


def slerp(val, low, high):
    low_unit = low / torch.norm(low, dim=1, keepdim=True)
    high_unit = high / torch.norm(high, dim=1, keepdim=True)
    cos = (low_unit * high_unit).sum(1)
    if cos.mean() > 0.9995:
        return low * val + high * (1 - val)
    omega = torch.acos(cos)
    so = torch.sin(omega)
    return (torch.sin((1.0 - val) * omega) / so).unsqueeze(1) * low + (torch.sin(val * omega) / so).unsqueeze(1) * high


def noise(seed):
    torch.manual_seed(seed)
    return torch.randn(SHAPE)


cases = []
for seed, subseed, strength in [(42, 7, 0.25), (42, 7, 0.5), (1234, 99, 0.9), (5, 5, 0.3)]:
    out = slerp(strength, noise(seed), noise(subseed))
    cases.append(
        {"seed": seed, "subseed": subseed, "strength": strength, "noise": [round(float(v), 7) for v in out.reshape(-1)]}
    )
path = ROOT / "core/src/test/resources/reference/variation_noise.json"
path.write_text(json.dumps({"shape": list(SHAPE), "cases": cases}) + "\n")
print("wrote", path)
