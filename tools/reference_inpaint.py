"""Golden outputs for inpainting: a plain-PyTorch StableDiffusionInpaintPipeline and legacy blend.

What it makes: core/src/test/resources/golden-inpaint/ with manifest.json (every case's request, the
UNet timesteps, the mask's statistics and its output files), the basemap and mask PNGs it uses, and
per output image: the PNG after pasting the original back through the blurred mask, the PNG straight
from the decoder, the final and starting latents and the masked-image latents (raw little-endian
float32, NCHW), and the latent mask.

How: the tiny models' own torch modules (tools/tiny_spec.py), our CLIP BPE (tools/clip_bpe.py) and
samplers (tools/schedulers.py), following diffusers' pipeline_stable_diffusion_inpaint.py
(commit 58eb52c0803ea9af3abec60841c2a093bdf1f951) for the order of operations and the draws:
  - mask: greyscale by PIL's luma (L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16), optionally
    inverted, then A1111's mask blur (cv2.GaussianBlur with a (2·int(2.5·b + 0.5) + 1)-tap kernel of
    sigma b, across then down, reflect-101 borders, rounded to 8 bits after each pass; here in float64
    with round-half-up, see `blur_mask`);
  - diffusers' mask processor: m / 255 >= 0.5 -> 1 (repaint), else 0; masked image = image · (mask < 0.5);
    the latent mask = the binary mask nearest-resized to H/8 × W/8 (pixel (8i, 8j));
  - per image, its own torch.Generator().manual_seed(seed + i), draws in diffusers' order:
    prepare_latents: if strength < 1 or the UNet has 4 channels, the image's posterior sample (its
    latents · scaling); then [Atelier's latent fills, strength < 1 only: `noise` fill draws randn for
    the masked latents here; `nothing` zeroes them]; then noise = randn; latents = noise ·
    init_noise_sigma at strength 1, else add_noise(image latents, noise, timesteps[t_start]);
    prepare_mask_latents: the masked image's posterior sample · scaling; then sampler noise per step;
  - 9-channel UNet: per step cat([scale_model_input(latents) (twice with CFG), mask, masked latents], 1);
  - 4-channel UNet (diffusers' legacy blend): after step i, latents = (1 - mask) · add_noise(image
    latents, noise, timesteps[i + 1]) (no noise after the last step) + mask · latents;
  - decode as reference_pipeline.py; then A1111's paste-back: overlay mask o = min(255, 2·m_blurred),
    a = 255 - o, pixel = (a · original + (255 - a) · generated + 127) // 255.
  - cases with `whole` set: a 9-channel UNet without a mask (text-to-image, or image-to-image from the
    basemap), as A1111's txt2img_image_conditioning / img2img_image_conditioning give an inpainting
    model (modules/processing.py: a mask of ones, the masked image all 0.5 in [0, 1], i.e. 0 in
    [-1, 1], VAE-encoded) and as diffusers' StableDiffusionInpaintPipeline does with an all-white mask
    (masked image = image · (mask < 0.5) = 0; its posterior sample drawn after the start noise).
    Without a basemap (`init` false) the image is never encoded: strength is 1.
  - cases with `control` set: a ControlNet (tools/make_tiny_controlnet.py's tiny ControlNet a, at
    `control_scale`, over the whole range) in front of the 9-channel UNet, as diffusers'
    pipelines/controlnet/pipeline_controlnet_inpaint.py (same commit) runs it: the ControlNet gets
    the scaled 4-channel latents (`control_model_input = latent_model_input`, before the mask and
    masked latents are concatenated), the control image in [0, 1] for every row of the guidance
    batch, and the UNet (models/sd15-inpainting-controlnet-onnxstack: the residual-input export of
    the same inpainting UNet) adds its residuals; the draws are the inpainting pipeline's.

How to run (seconds; deterministic; needs the models built by make_tiny_models.py):
    /usr/bin/python3 tools/reference_inpaint.py [--models DIR] [--out DIR]
"""

import argparse
import json
import math
import re
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference_pipeline as ref  # noqa: E402
import schedulers  # noqa: E402
from sdarch import posterior_mean_std  # noqa: E402

OUT = ref.RESOURCES / "golden-inpaint"
BASEMAP = "basemap-64.png"
MASK = "mask-64.png"


@dataclass(frozen=True)
class Case:
    id: str
    model: str
    prompt: str
    negative: str
    scheduler: str
    steps: int
    guidance: float
    seed: int
    strength: float
    blur: int = 0
    fill: str = "original"  # original | noise | nothing (pixel `fill` is Java-only, see docs/inpainting.md)
    invert: bool = False
    batch: int = 1
    width: int = 64
    height: int = 64
    whole: bool = False  # no mask: the whole image is repainted (a mask of ones)
    init: bool = True  # with the basemap (image-to-image); False: text-to-image (strength 1)
    control: str = ""  # a tiny ControlNet (make_tiny_controlnet.NETS key) in front of the UNet
    control_image: str = ""  # in core/src/test/resources/control-images/
    control_scale: float = 1.0


CASES = [
    Case("a-9ch-euler-strength1", "sd15-inpainting-optimum", "a red apple on a table", "", "euler", 4, 7.5, 42, 1.0,
         batch=2),
    Case("b-9ch-ddim-blur3", "sd15-inpainting-optimum", "a cat sitting on a sofa", "blurry", "ddim", 5, 6.0, 7, 0.6,
         blur=3),
    Case("c-legacy-euler-a-blur2", "sd15-optimum-1.22", "an old castle in the fog", "", "euler-a", 6, 7.5, 1234, 0.75,
         blur=2),
    Case("d-legacy-euler-noise-fill", "sd15-optimum-1.22", "a lighthouse at dusk", "", "euler", 5, 7.5, 5, 0.8,
         fill="noise", invert=True),
    Case("e-9ch-txt2img-whole", "sd15-inpainting-optimum", "a bowl of fruit", "", "euler", 4, 7.5, 11, 1.0,
         whole=True, init=False),
    Case("f-9ch-img2img-whole", "sd15-inpainting-optimum", "a bowl of fruit", "blurry", "ddim", 5, 6.0, 12, 0.6,
         whole=True),
    Case("g-9ch-controlnet-euler", "sd15-inpainting-controlnet-onnxstack", "a lighthouse on a cliff", "", "euler", 4,
         7.5, 21, 1.0, blur=2, control="a", control_image="edges-64.png", control_scale=0.8),
]


def torch_model(case):
    """The tiny model whose torch modules make the case: a residual-input copy has its base's weights."""
    return "sd15-inpainting-optimum" if case.model == "sd15-inpainting-controlnet-onnxstack" else case.model


def write_mask(path):
    """A soft-edged ellipse (white = repaint) off centre: values from 0 to 255 with a ramp."""
    y, x = np.mgrid[0:64, 0:64].astype(np.float64)
    d = np.sqrt(((x - 40) / 18) ** 2 + ((y - 28) / 14) ** 2)
    m = np.clip((1.3 - d) * 255 / 0.6, 0, 255)
    Image.fromarray(np.floor(m + 0.5).astype(np.uint8), "L").save(path)


def luma(rgb):
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    return ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(np.uint8)


def gaussian_kernel(blur):
    """cv2.getGaussianKernel(2·int(2.5·b + 0.5) + 1, b) as A1111 calls it, in float64."""
    size = 2 * int(2.5 * blur + 0.5) + 1
    half = (size - 1) / 2
    k = [math.exp(-((i - half) ** 2) / (2.0 * blur * blur)) for i in range(size)]
    s = 0.0
    for v in k:
        s += v
    return [v / s for v in k]


def blur_1d(m, k, axis):
    """One pass along `axis` with reflect-101 borders; taps summed in order; round half up to uint8."""
    r = len(k) // 2
    a = np.moveaxis(m.astype(np.float64), axis, -1)
    n = a.shape[-1]
    idx = np.arange(-r, n + r)
    idx = np.abs(idx)
    idx = np.where(idx >= n, 2 * (n - 1) - idx, idx)
    padded = a[..., idx]
    s = np.zeros_like(a)
    for d in range(len(k)):
        s = s + k[d] * padded[..., d:d + n]
    out = np.clip(np.floor(s + 0.5), 0, 255).astype(np.uint8)
    return np.moveaxis(out, -1, axis)


def blur_mask(m, blur):
    if blur <= 0:
        return m
    k = gaussian_kernel(blur)
    return blur_1d(blur_1d(m, k, 1), k, 0)


def encode(m, image, gen):
    mean, std = posterior_mean_std(m.vae.encode_parameters(image))
    return (mean + std * torch.randn(mean.shape, generator=gen)) * m.scaling


def add_noise_at(sched, original, noise, index):
    """diffusers' add_noise at timesteps[index] (the reference schedulers noise at begin_index)."""
    keep_begin = sched.begin_index
    sched.begin_index = index
    try:
        return sched.add_noise(original, noise)
    finally:
        sched.begin_index = keep_begin


@torch.no_grad()
def run_image(case, m, seed, context, image, mask_px, latent_mask, nine):
    sched = schedulers.make(case.scheduler, m.scheduler_config, case.steps)
    gen = torch.Generator().manual_seed(seed)
    h, w = case.height // 8, case.width // 8
    init_steps = min(int(case.steps * case.strength), case.steps)
    t_start = case.steps - init_steps
    strength_max = case.strength == 1.0
    sched.set_begin_index(t_start)
    timesteps = sched.timesteps[t_start:]
    keep = 1.0 - latent_mask
    image_latents = None
    if not strength_max or not nine:
        image_latents = encode(m, image, gen)
    start_source = image_latents
    if not strength_max and case.fill == "noise":
        start_source = image_latents * keep + torch.randn((1, 4, h, w), generator=gen) * latent_mask
    elif not strength_max and case.fill == "nothing":
        start_source = image_latents * keep
    noise = torch.randn((1, 4, h, w), generator=gen)
    latents = noise * sched.init_noise_sigma if strength_max else sched.add_noise(start_source, noise)
    masked_image = image * (mask_px < 0.5)
    masked_latents = encode(m, masked_image, gen)
    start = latents.clone()
    cfg = context.shape[0] == 2
    for i, t in enumerate(timesteps):
        model_in = sched.scale_model_input(torch.cat([latents] * 2) if cfg else latents)
        control_in = model_in  # the ControlNet sees the 4 latent channels
        if nine:
            b = model_in.shape[0]
            model_in = torch.cat([model_in, latent_mask.repeat(b, 1, 1, 1), masked_latents.repeat(b, 1, 1, 1)], dim=1)
        if case.control:
            from controlnet_arch import unet_with_residuals  # noqa: E402
            import make_tiny_controlnet as mtc  # noqa: E402

            tt = torch.tensor([float(t)]).expand(model_in.shape[0])
            cond_img = control_image(case.control_image).repeat(model_in.shape[0], 1, 1, 1)
            down, mid = mtc.controlnet(case.control)(control_in, tt, context, cond_img, case.control_scale)
            out = unet_with_residuals(m.unet, model_in, tt, context, down, mid)
        else:
            out = m.unet(model_in, m.timestep(t), context, None)
        if cfg:
            uncond, cond = out.chunk(2)
            out = uncond + case.guidance * (cond - uncond)
        latents, _ = sched.step(out, latents, gen) if case.scheduler != "ddim" else sched.step(out, latents, gen, eta=0.0)
        if not nine:
            proper = image_latents
            if i < len(timesteps) - 1:
                proper = add_noise_at(sched, image_latents, noise, t_start + i + 1)
            latents = keep * proper + latent_mask * latents
    decoded = m.vae.decode(latents / m.scaling)
    return start, latents, decoded, masked_latents, [float(t) for t in timesteps], t_start


def control_image(name):
    """A control image PNG -> float32 [1, 3, H, W] in [0, 1] (diffusers' control image processor)."""
    arr = np.array(Image.open(ref.RESOURCES / "control-images" / name).convert("RGB")).astype(np.float32) / 255.0
    return torch.from_numpy(arr).permute(2, 0, 1)[None].contiguous()


def paste_back(generated, original, overlay):
    a = 255 - overlay.astype(np.int64)[..., None]
    return ((a * original.astype(np.int64) + (255 - a) * generated.astype(np.int64) + 127) // 255).astype(np.uint8)


@torch.no_grad()
def run_case(case, models, out):
    m = ref.Model(models / torch_model(case))
    nine = m.variant.unet.in_channels == 9
    ids = m.ids(case.prompt)
    cond = m.text(torch.tensor([ids]))[0]
    use_cfg = case.guidance > 1.0
    negative_ids = m.ids(case.negative) if use_cfg else None
    context = torch.cat([m.text(torch.tensor([negative_ids]))[0], cond]) if use_cfg else cond
    original = np.array(Image.open(out / BASEMAP).convert("RGB"))
    image = ref.read_basemap(out / BASEMAP)
    if not case.init:
        assert case.whole and case.strength == 1.0 and nine
        image = torch.zeros((1, 3, case.height, case.width))
        original = np.zeros((case.height, case.width, 3), np.uint8)
    if case.whole:
        grey = np.full((case.height, case.width), 255, np.uint8)
    else:
        grey = luma(np.array(Image.open(out / MASK).convert("RGB")))
    if case.invert:
        grey = 255 - grey
    blurred = blur_mask(grey, case.blur)
    binary = torch.from_numpy((blurred.astype(np.float32) / np.float32(255) >= 0.5).astype(np.float32))
    mask_px = binary[None, None]
    latent_mask = binary[::8, ::8][None, None].contiguous()
    overlay = np.minimum(255, blurred.astype(np.int64) * 2).astype(np.uint8)
    entry = asdict(case)
    outputs = []
    timesteps = t_start = None
    for i in range(case.batch):
        seed = case.seed + i
        start, latents, decoded, masked_latents, timesteps, t_start = run_image(
            case, m, seed, context, image, mask_px, latent_mask, nine)
        stem = f"{case.id}.s{seed}"
        raw = ref.to_uint8(decoded)
        Image.fromarray(raw).save(out / f"{stem}.raw.png")
        Image.fromarray(paste_back(raw, original, overlay)).save(out / f"{stem}.png")
        ref.write_f32(out / f"{stem}.latents.f32", latents)
        ref.write_f32(out / f"{stem}.start.f32", start)
        ref.write_f32(out / f"{stem}.masked.f32", masked_latents)
        outputs.append({"seed": seed, "png": f"{stem}.png", "raw_png": f"{stem}.raw.png",
                        "latents": f"{stem}.latents.f32", "start_latents": f"{stem}.start.f32",
                        "masked_latents": f"{stem}.masked.f32",
                        "latents_stats": {"std": float(latents.std()), "max_abs": float(latents.abs().max())}})
    ref.write_f32(out / f"{case.id}.latent-mask.f32", latent_mask)
    entry.update(
        unet_in_channels=9 if nine else 4,
        cfg=use_cfg,
        unet_timesteps=timesteps,
        t_start=t_start,
        mask_stats={"repaint_pixels": int(binary.sum()), "repaint_latents": int(latent_mask.sum()),
                    "blurred_sum": int(blurred.astype(np.int64).sum())},
        latent_mask=f"{case.id}.latent-mask.f32",
        outputs=outputs,
    )
    return entry


NOTES = {
    "sources": f"order of operations and draws: diffusers {ref.DIFFUSERS_COMMIT} pipeline_stable_diffusion_inpaint.py "
    "(9-channel UNet, and its 4-channel legacy blend); mask blur and paste-back: A1111 modules/processing.py "
    "(mask_blur via cv2.GaussianBlur, overlay = clip(2 * blurred mask), alpha_composite of the original); "
    "schedulers: tools/schedulers.py; models: tools/tiny_spec.py. See the docstring of tools/reference_inpaint.py.",
    "latents": "raw little-endian float32 NCHW [1, 4, H/8, W/8]: final latents before / scaling; `start_latents` "
    "enter the first UNet call; `masked_latents` = VAE posterior sample of the masked image * scaling; "
    "`latent_mask` [1, 1, H/8, W/8] (1 = repaint).",
    "png": "`raw_png` = decoded as reference_pipeline.py; `png` = raw with the original pasted back through the "
    "overlay mask (A1111's default).",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=Path, default=ref.RESOURCES / "models")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    torch.set_grad_enabled(False)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    ref.write_basemap(args.out / BASEMAP)
    write_mask(args.out / MASK)
    for name in sorted({torch_model(c) for c in CASES}):
        print(f"{name}: {ref.Model(args.models / name).check_weights()} ONNX initialisers equal the torch parameters")
    entries = []
    for case in CASES:
        entry = run_case(case, args.models, args.out)
        entries.append(entry)
        print(f"{case.id}: timesteps {entry['unet_timesteps']}; mask {entry['mask_stats']}; "
              + ", ".join(f"s{o['seed']} std {o['latents_stats']['std']:.3g}" for o in entry["outputs"]))
    text = json.dumps({"notes": NOTES, "basemap": BASEMAP, "mask": MASK, "cases": entries}, indent=2)
    text = re.sub(r"\[([-0-9.e+,\s]+)\]", lambda mt: "[" + re.sub(r"\s+", " ", mt.group(1)).strip() + "]", text)
    (args.out / "manifest.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
