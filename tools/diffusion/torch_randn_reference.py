#!/usr/bin/python3
"""Writes the PyTorch CPU random-number reference values that Mt19937GeneratorTest compares against.

Run with Debian's interpreter, which has python3-torch (1.13.x):

    /usr/bin/python3 tools/diffusion/torch_randn_reference.py

It writes core/src/test/resources/diffusion/torch_randn.json. Each case seeds one
torch.Generator() with manual_seed(seed) and makes the listed torch.randn(n, generator=g)
calls in order, so the generator state (including the cached second Box-Muller value of the
double-precision path used for n < 16) carries over from call to call, as in a sampling loop.
The script also checks that torch.manual_seed(seed) + torch.randn on the default generator
gives the same numbers, since pipelines use both.

Values are float32 numbers written as the shortest double that round-trips (Python repr), so
(float) Double.parseDouble(text) gives back the exact float. Calls of more than 100 values
store the first and last 20 values, every 1000th value, and the float64 sum, mean and standard
deviation (population, ddof=0).
"""
import json
import pathlib

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parents[2] / "core/src/test/resources/diffusion/torch_randn.json"

# Seeds: small ones, one above 2^32 (torch keeps only the low 32 bits for mt19937), large
# 64-bit ones, and negative ones (torch 1.13 reads them as their unsigned 64-bit pattern).
SEEDS = [0, 1, 42, 2**32 + 5, 123456789012345, 2**63 + 7, 2**64 - 1, -1, -42]
SIZES = [1, 7, 15, 16, 17, 100, 4 * 64 * 64]
SEQUENCES = [
    # the double path's cached second normal survives a float-path call in between
    [1, 1, 3, 16, 1, 17, 7, 2],
    # a latent (1x4x64x64) then ancestral-noise draws of the same size, as in a pipeline
    [4 * 64 * 64, 4 * 64 * 64, 4 * 64 * 64],
    # small latents (1x4x8x8) as the scheduler reference tests use them
    [256, 256, 256, 256],
    [15, 33, 1, 250],
]
FULL_LIMIT = 100
EDGE = 20


def f32_list(t):
    return [float(x) for x in t.numpy().astype(np.float32)]


def describe(values):
    n = values.numel()
    if n <= FULL_LIMIT:
        return {"n": n, "values": f32_list(values)}
    d = values.numpy().astype(np.float64)
    every = {str(i): float(values[i]) for i in range(0, n, 1000)}
    return {
        "n": n,
        "head": f32_list(values[:EDGE]),
        "tail": f32_list(values[-EDGE:]),
        "every_1000": every,
        "sum": float(d.sum()),
        "mean": float(d.mean()),
        "std": float(d.std()),
    }


def run_calls(seed, sizes):
    g = torch.Generator().manual_seed(seed)
    drawn = [torch.randn(n, generator=g) for n in sizes]
    torch.manual_seed(seed)
    default = [torch.randn(n) for n in sizes]
    for a, b in zip(drawn, default):
        assert torch.equal(a, b), f"default generator differs for seed {seed}"
    return drawn, g.initial_seed()


def main():
    cases = []
    for seed in SEEDS:
        for n in SIZES:
            drawn, initial = run_calls(seed, [n])
            cases.append(case(seed, initial, drawn))
    for i, seq in enumerate(SEQUENCES):
        seed = [7, 2024, 3, 99][i]
        drawn, initial = run_calls(seed, seq)
        cases.append(case(seed, initial, drawn))
    doc = {
        "generated_by": "tools/diffusion/torch_randn_reference.py",
        "torch_version": torch.__version__,
        "cpu_capability": cpu_capability(),
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


def cpu_capability():
    # The vectorised normal fill (and so the last bits) depends on the kernel torch dispatched to.
    for line in torch.__config__.show().splitlines():
        if "CPU capability" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def case(seed, initial, drawn):
    return {
        "seed": str(seed),
        # what torch reports as the generator's initial seed (an unsigned 64-bit number)
        "initial_seed": str(initial),
        "calls": [describe(t) for t in drawn],
    }


if __name__ == "__main__":
    main()
