#!/usr/bin/env python3
"""Reference values for the basemap noise operations (atelier.image.basemap).

Writes core/src/test/resources/basemap/noise_reference.json, read by PerlinNoiseTest and
GaussianNoiseTest.

Perlin: Disco Diffusion's own functions are run, not re-implemented. They are read at run time
from a checkout of alembics/disco-diffusion (disco.py, commit 37eb39b, the repository's last):
the script parses disco.py with `ast`, takes the definitions of `interp`, `perlin`, `perlin_ms`,
`create_perlin_noise` and `regen_perlin`, and executes them against Debian's python3-torch and
python3-pil. Nothing of disco.py is kept here. Debian has no torchvision, so `TF` is a shim of the
two torchvision 0.12/0.13 functions DD calls on tensors: `resize` (bilinear, align_corners=False,
no antialiasing: torchvision's tensor path in 2022) and `to_pil_image` (`mul(255).byte()`, then
PIL modes L / RGB), and `to_tensor` (bytes / 255).

Gaussian: torch.manual_seed(seed); torch.randn(3, H, W) (or (H, W) for grey), added as
255·sigma·n to a synthetic image, rounded half up, clamped to 0..255.

Usage:
  git clone https://github.com/alembics/disco-diffusion /tmp/disco-diffusion
  /usr/bin/python3 tools/basemap/basemap_reference.py --disco /tmp/disco-diffusion/disco.py
"""
import argparse
import ast
import json
import os
import types

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps

NAMES = ("interp", "perlin", "perlin_ms", "create_perlin_noise", "regen_perlin")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "core", "src", "test", "resources",
                   "basemap", "noise_reference.json")


def tf_shim():
    def resize(img, size):
        x = img if img.dim() == 4 else img.unsqueeze(0)
        y = F.interpolate(x, size=list(size), mode="bilinear", align_corners=False)
        return y if img.dim() == 4 else y.squeeze(0)

    def to_pil_image(pic):
        pic = pic.mul(255).byte()
        arr = pic.numpy()
        if arr.ndim == 3 and arr.shape[0] == 1:
            return Image.fromarray(arr[0], mode="L")
        if arr.ndim == 2:
            return Image.fromarray(arr, mode="L")
        return Image.fromarray(np.ascontiguousarray(arr.transpose(1, 2, 0)), mode="RGB")

    def to_tensor(pil):
        a = np.asarray(pil.convert("RGB"), dtype=np.uint8)
        return torch.from_numpy(a.transpose(2, 0, 1).copy()).float().div(255)

    return types.SimpleNamespace(resize=resize, to_pil_image=to_pil_image, to_tensor=to_tensor)


def load_disco(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in NAMES]
    found = {d.name for d in defs}
    missing = set(NAMES) - found
    if missing:
        raise SystemExit(f"{path}: expected definitions of {NAMES}, missing {sorted(missing)}")
    module = ast.Module(body=defs, type_ignores=[])
    ns = {"torch": torch, "TF": tf_shim(), "ImageOps": ImageOps, "device": "cpu",
          "batch_size": 1}
    exec(compile(module, path, "exec"), ns)
    return ns


def perlin_case(ns, mode, seed, width, height):
    ns.update(side_x=width, side_y=height, perlin_mode=mode)
    # regen_perlin draws init (12 octaves, 1x1 cells) then init2 (8 octaves, 4x4), as DD does.
    # To keep both 8-bit images, run the same draws through create_perlin_noise directly.
    oct12 = [1.5 ** -i * 0.5 for i in range(12)]
    oct8 = [1.5 ** -i * 0.5 for i in range(8)]
    torch.manual_seed(seed)
    a = ns["create_perlin_noise"](oct12, 1, 1, mode == "gray")
    b = ns["create_perlin_noise"](oct8, 4, 4, mode != "color")
    torch.manual_seed(seed)
    final = ns["regen_perlin"]()[0]  # [3,H,W] in [-1,1]
    ta = np.asarray(a.convert("RGB"), dtype=np.uint8).transpose(2, 0, 1)
    tb = np.asarray(b.convert("RGB"), dtype=np.uint8).transpose(2, 0, 1)
    check = (torch.from_numpy(ta.astype(np.float32) / 255 + tb.astype(np.float32) / 255) / 2
             * 2 - 1)
    assert torch.allclose(check, final, atol=1e-6), "regen_perlin differs from its two parts"
    return {"mode": mode, "seed": seed, "width": width, "height": height,
            "a": ta.reshape(-1).tolist(), "b": tb.reshape(-1).tolist()}


def synthetic(width, height):
    """The test image: r = 4x+1, g = 3y+2, b = (x*y) % 256 (Java's GaussianNoiseTest builds it)."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([(4 * x + 1) % 256, (3 * y + 2) % 256, (x * y) % 256]).astype(np.float64)


def gaussian_case(seed, sigma, grey, width, height):
    torch.manual_seed(seed)
    img = synthetic(width, height)
    if grey:
        n = torch.randn(height, width).double().numpy()[None, :, :]
    else:
        n = torch.randn(3, height, width).double().numpy()
    out = np.clip(np.floor(img + 255 * sigma * n + 0.5), 0, 255).astype(np.int64)
    return {"seed": seed, "sigma": sigma, "mode": "gray" if grey else "color", "width": width,
            "height": height, "rgb": out.reshape(-1).tolist()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--disco", default="/tmp/disco-diffusion/disco.py")
    args = ap.parse_args()
    ns = load_disco(args.disco)
    data = {
        "source": "alembics/disco-diffusion disco.py @ 37eb39b; torch " + torch.__version__,
        "perlin": [perlin_case(ns, "color", 0, 48, 32), perlin_case(ns, "gray", 1, 40, 40),
                   perlin_case(ns, "mixed", 7, 64, 24)],
        "gaussian": [gaussian_case(3, 0.1, False, 20, 12), gaussian_case(11, 0.25, True, 17, 9)],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
