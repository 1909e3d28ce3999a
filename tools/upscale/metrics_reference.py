#!/usr/bin/python3
"""Reference PSNR and SSIM for ImageMetricsTest, from scikit-image (Debian python3-skimage 0.19).

    /usr/bin/python3 tools/upscale/metrics_reference.py

Writes core/src/test/resources/upscale/metrics/{a.png, b.png, c.png, reference.json}: three
deterministic 8-bit RGB images (a pattern, the pattern with noise, the pattern blurred) and, for
the pairs (a,b) and (a,c):
  psnr = skimage.metrics.peak_signal_noise_ratio(a, b, data_range=255) over all RGB samples;
  psnrLuma = the same on the BT.601 luma Y below;
  ssim = skimage.metrics.structural_similarity(Ya, Yb, gaussian_weights=True, sigma=1.5,
         use_sample_covariance=False, data_range=255) on the BT.601 luma
         Y = 0.299 R + 0.587 G + 0.114 B (float64), i.e. Wang et al. 2004's settings.
"""
import json
import os

import numpy as np
import skimage
from PIL import Image, ImageFilter
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "src", "test",
                   "resources", "upscale", "metrics")


def luma(img):
    f = img.astype(np.float64)
    return 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]


def main():
    os.makedirs(OUT, exist_ok=True)
    h, w = 48, 64
    y, x = np.mgrid[0:h, 0:w]
    a = np.stack([(x * 4) % 256, (y * 5) % 256, ((x * y) // 3) % 256], -1).astype(np.uint8)
    rng = np.random.default_rng(7)
    b = np.clip(a.astype(int) + rng.integers(-12, 13, a.shape), 0, 255).astype(np.uint8)
    c = np.array(Image.fromarray(a).filter(ImageFilter.GaussianBlur(1.2)))
    out = {"generatedBy": "tools/upscale/metrics_reference.py (scikit-image %s)" % skimage.__version__,
           "pairs": []}
    for name, img in (("a", a), ("b", b), ("c", c)):
        Image.fromarray(img).save(os.path.join(OUT, name + ".png"))
    for other_name, other in (("b", b), ("c", c)):
        out["pairs"].append({
            "a": "a.png", "b": other_name + ".png",
            "psnr": float(peak_signal_noise_ratio(a, other, data_range=255)),
            "psnrLuma": float(peak_signal_noise_ratio(luma(a), luma(other), data_range=255)),
            "ssim": float(structural_similarity(luma(a), luma(other), gaussian_weights=True,
                                                sigma=1.5, use_sample_covariance=False,
                                                data_range=255)),
        })
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
