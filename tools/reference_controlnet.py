"""Golden outputs for ControlNet: a plain-PyTorch StableDiffusionControlNetPipeline over the tiny models.

What it makes: core/src/test/resources/golden-control/ with manifest.json (each case's request,
controls, UNet timesteps and output files) and per image a PNG and the final latents (raw
little-endian float32, NCHW [1, 4, h, w]).

How: the tiny SD 1.5 modules (tools/tiny_spec.py) and the tiny ControlNets (tools/make_tiny_controlnet.py,
controlnet_arch.py; checked against the ONNX initialisers at start), reference_pipeline.py's tokenizer,
text encoding, schedulers and decoding, following the order of operations of diffusers'
pipelines/controlnet/pipeline_controlnet.py (commit 58eb52c0803ea9af3abec60841c2a093bdf1f951):
  - control image: PNG -> float32 x / 255 in [0, 1] (VaeImageProcessor with do_normalize=False), RGB,
    NCHW; with classifier-free guidance and no guess mode it is repeated for the batch [uncond, cond];
  - per step i of n: keep_k = 1 - (i / n < start_k or (i + 1) / n > end_k); the ControlNet k runs on
    the scaled model input with conditioning_scale = scale_k * keep_k (skipped here when 0: its
    residuals are then exactly zero), residuals of all ControlNets summed (MultiControlNetModel);
  - guess mode with guidance: the ControlNets see only the cond half (latents and prompt), their
    residuals are scaled by logspace(-1, 0, n_residuals) * scale and zero-padded for the uncond half;
  - the UNet adds the down residuals to its skips and the mid residual to the mid block's output.
Both export styles compute this (the separate ControlNet + residual UNet, and the fused UNet), so one
golden case serves both.

How to run (seconds; deterministic):
    /usr/bin/python3 tools/reference_controlnet.py
after tools/make_tiny_models.py and tools/make_tiny_controlnet.py.
"""

import json
import re
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import List

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_tiny_controlnet as mtc  # noqa: E402
import reference_pipeline as rp  # noqa: E402
import schedulers  # noqa: E402
from controlnet_arch import unet_with_residuals  # noqa: E402

OUT = rp.RESOURCES / "golden-control"
IMAGES = rp.RESOURCES / "control-images"


@dataclass(frozen=True)
class Control:
    net: str  # a | b
    image: str
    scale: float = 1.0
    start: float = 0.0
    end: float = 1.0


@dataclass(frozen=True)
class Case:
    id: str
    prompt: str
    negative: str
    scheduler: str
    steps: int
    guidance: float
    seed: int
    controls: List[Control] = field(default_factory=list)
    guess_mode: bool = False
    width: int = 64
    height: int = 64


CASES = [
    Case("a-single-euler", "a lighthouse on a cliff", "", "euler", 4, 7.5, 42, [Control("a", "edges-64.png", 0.8)]),
    Case("b-two-ddim-ranges", "an old castle in the fog", "blurry", "ddim", 5, 5.0, 7,
         [Control("a", "edges-64.png", 1.0, 0.0, 0.5), Control("b", "blocks-64.png", 0.6, 0.25, 1.0)]),
    Case("c-guess-euler", "a red fox", "", "euler", 4, 7.5, 3, [Control("a", "edges-64.png", 1.0)], guess_mode=True),
]


def check_weights():
    """The ONNX ControlNets' named initialisers equal the torch parameters."""
    checked = 0
    for key, name in mtc.NETS.items():
        params = {f"net.{k}": v for k, v in mtc.controlnet(key).named_parameters()}
        for init in onnx.load(str(rp.RESOURCES / "models" / name / "model.onnx")).graph.initializer:
            if init.name in params:
                assert np.array_equal(numpy_helper.to_array(init), params[init.name].numpy()), init.name
                checked += 1
    assert checked > 20, checked
    return checked


def read_control(name):
    arr = np.array(Image.open(IMAGES / name).convert("RGB")).astype(np.float32) / 255.0
    return torch.from_numpy(arr).permute(2, 0, 1)[None].contiguous()


@torch.no_grad()
def run_image(case, m, seed, context, cfg):
    sched = schedulers.make(case.scheduler, m.scheduler_config, case.steps)
    gen = torch.Generator().manual_seed(seed)
    latents = torch.randn((1, 4, case.height // 8, case.width // 8), generator=gen) * sched.init_noise_sigma
    images = [read_control(c.image) for c in case.controls]
    timesteps = sched.timesteps
    n = len(timesteps)
    for i, t in enumerate(timesteps):
        model_in = sched.scale_model_input(torch.cat([latents] * 2) if cfg else latents)
        tt = torch.tensor([float(t)]).expand(model_in.shape[0])  # the control graphs' float32 [batch] timestep
        down, mid = None, None
        for c, img in zip(case.controls, images):
            keep = 1.0 - float(i / n < c.start or (i + 1) / n > c.end)
            if keep == 0.0:
                continue
            net = mtc.controlnet(c.net)
            if case.guess_mode and cfg:
                d, mm = net(model_in[1:], tt[1:], context[1:], img, c.scale * keep, guess_mode=True)
                d = [torch.cat([torch.zeros_like(x), x]) for x in d]
                mm = torch.cat([torch.zeros_like(mm), mm])
            else:
                cond = torch.cat([img] * model_in.shape[0])
                d, mm = net(model_in, tt, context, cond, c.scale * keep, guess_mode=case.guess_mode)
            if down is None:
                down, mid = d, mm
            else:
                down, mid = [a + b for a, b in zip(down, d)], mid + mm
        if down is None:
            out = m.unet(model_in, tt, context)
        else:
            out = unet_with_residuals(m.unet, model_in, tt, context, down, mid)
        if cfg:
            uncond, cond = out.chunk(2)
            out = uncond + case.guidance * (cond - uncond)
        latents, _ = sched.step(out, latents, gen)
    return latents, m.vae.decode(latents / m.scaling), [float(t) for t in timesteps]


@torch.no_grad()
def main():
    torch.set_grad_enabled(False)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    print(f"{check_weights()} ONNX ControlNet initialisers equal the torch parameters")
    m = rp.Model(rp.RESOURCES / "models" / mtc.BASE)
    entries = []
    for case in CASES:
        cfg = case.guidance > 1.0
        cond = m.text(torch.tensor([m.ids(case.prompt)]))[0]
        context = torch.cat([m.text(torch.tensor([m.ids(case.negative)]))[0], cond]) if cfg else cond
        latents, decoded, timesteps = run_image(case, m, case.seed, context, cfg)
        stem = f"{case.id}.s{case.seed}"
        Image.fromarray(rp.to_uint8(decoded)).save(OUT / f"{stem}.png")
        rp.write_f32(OUT / f"{stem}.latents.f32", latents)
        entry = asdict(case)
        entry.update(cfg=cfg, unet_timesteps=timesteps, png=f"{stem}.png", latents=f"{stem}.latents.f32",
                     latents_std=float(latents.std()))
        entries.append(entry)
        print(f"{case.id}: timesteps {timesteps}; latents std {float(latents.std()):.3g}")
    notes = {
        "sources": f"order of operations: diffusers {rp.DIFFUSERS_COMMIT} pipelines/controlnet/pipeline_controlnet.py; "
        "models: tools/tiny_spec.py, tools/make_tiny_controlnet.py; see tools/reference_controlnet.py",
        "model": "models/sd15-controlnet-onnxstack (separate ControlNets controlnet-tiny-a/-b) or models/sd15-controlnet-fused "
        "(slot 1 = a, slot 2 = b); the same numbers for both",
        "latents": "raw little-endian float32 NCHW [1, 4, h, w], the final latents before / 0.18215",
    }
    text = json.dumps({"notes": notes, "cases": entries}, indent=2)
    text = re.sub(r"\[([-0-9.e+,\s]+)\]", lambda mt: "[" + re.sub(r"\s+", " ", mt.group(1)).strip() + "]", text)
    (OUT / "manifest.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
