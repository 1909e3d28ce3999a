#!/usr/bin/python3
"""Golden end-to-end outputs for the samplers added for A1111 parity: the plain-PyTorch reference
pipeline (tools/reference_pipeline.py: the tiny models' torch modules, diffusers' order of
operations) with each sampler taken from diffusers itself instead of tools/schedulers.py.

What it makes: core/src/test/resources/golden-samplers/ in the format of
core/src/test/resources/golden/ (manifest.json, per image a PNG, final and starting latents as raw
little-endian float32), one text-to-image case per new sampler on the SD 1.5 and SD 2.x (v-
prediction) tiny models, and one image-to-image case. GoldenSamplersTest runs the same requests
through the Java pipeline and compares.

The schedulers are diffusers' classes at the commit scheduler_reference.py names, made as Atelier
makes them (sampler_reference.KINDS: OtherScheduler.from_config(model config) plus the kind's
overrides; the tiny models' configs already have steps_offset 1 and clip_sample false, so the
pipelines' config fixes change nothing). Heun and DPM2 make one UNet call per timestep entry, as
diffusers' pipelines do.

How to run (needs the tiny models, diffusers on PYTHONPATH and what scheduler_reference.py and
sampler_reference.py need):
    PYTHONPATH=/tmp/diffusers/src /usr/bin/python3 tools/diffusion/sampler_pipeline_reference.py
"""
import json
import re
import shutil
import sys
import types
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(TOOLS / "diffusion"))

import sampler_reference  # noqa: E402  (imports diffusers with scheduler_reference's shims)
import reference_pipeline as P  # noqa: E402
import torch  # noqa: E402

OUT = P.RESOURCES / "golden-samplers"


class DiffusersSampler:
    """diffusers' scheduler behind the small interface reference_pipeline.run_image calls."""

    def __init__(self, kind, config, steps):
        cls, overrides = sampler_reference.KINDS[kind]
        self.kind = kind
        self.s = cls.from_config(dict(config), **overrides)
        self.s.set_timesteps(steps)
        self.timesteps = self.s.timesteps
        self.index = 0

    @property
    def init_noise_sigma(self):
        return self.s.init_noise_sigma

    def set_begin_index(self, index):
        if self.s.order != 1:
            raise ValueError(f"{self.kind}: reference_pipeline's image-to-image assumes order 1")
        self.s.set_begin_index(index)
        self.index = index

    def add_noise(self, original, noise):
        return self.s.add_noise(original, noise, self.timesteps[self.index : self.index + 1])

    def scale_model_input(self, sample):
        return self.s.scale_model_input(sample, self.timesteps[self.index])

    def step(self, out, latents, generator):
        kwargs = {"generator": generator} if self.kind.startswith("dpm++2m-sde") else {}
        result = self.s.step(out, self.timesteps[self.index], latents, **kwargs)
        self.index += 1
        return result.prev_sample, None


P.schedulers = types.SimpleNamespace(make=DiffusersSampler)

SD15, SD21V = "sd15-optimum-1.22", "sd21v-optimum"
CASES = [
    P.Case("s-heun", SD15, "txt2img", "a lighthouse in a storm", "blurry", "heun", 4, 7.5, 101),
    P.Case("s-lms", SD15, "txt2img", "a lighthouse in a storm", "", "lms", 6, 7.5, 102),
    P.Case("s-lms-karras", SD15, "txt2img", "an old castle in the fog", "", "lms-karras", 6, 7.5, 103),
    P.Case("s-dpm2", SD15, "txt2img", "an old castle in the fog", "ugly", "dpm2", 4, 7.5, 104),
    P.Case("s-dpm2-karras", SD21V, "txt2img", "a red lighthouse, oil painting", "", "dpm2-karras", 4, 7.5, 105,
           width=96, height=96),
    P.Case("s-unipc", SD15, "txt2img", "a portrait of a fox", "", "unipc", 6, 7.5, 106),
    P.Case("s-unipc-v", SD21V, "txt2img", "a portrait of a fox", "blurry", "unipc", 5, 7.5, 107,
           width=96, height=96),
    P.Case("s-dpmpp2m-sde", SD15, "txt2img", "a city street at night", "", "dpm++2m-sde", 6, 7.5, 108, batch=2),
    P.Case("s-dpmpp2m-sde-karras", SD15, "txt2img", "a city street at night", "", "dpm++2m-sde-karras", 6, 7.5,
           110),
    P.Case("s-heun-v", SD21V, "txt2img", "a watercolor of a harbour", "", "heun", 3, 7.5, 111, width=96, height=96),
    P.Case("s-img2img-dpmpp2m-sde", SD15, "img2img", "a watercolor painting of a castle", "", "dpm++2m-sde", 10,
           7.5, 112, strength=0.6, init=P.BASEMAP),
]


def main():
    torch.set_grad_enabled(False)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    shutil.copy(P.RESOURCES / "golden" / P.BASEMAP, OUT / P.BASEMAP)
    entries = []
    for case in CASES:
        entry = P.run_case(case, P.RESOURCES / "models", OUT)
        entries.append(entry)
        stats = ", ".join(f"s{o['seed']} latents std {o['latents_stats']['std']:.3g}" for o in entry["outputs"])
        print(f"{case.id}: {len(entry['unet_timesteps'])} UNet calls; {stats}")
    notes = dict(
        P.MANIFEST_NOTES,
        sources=f"order of operations: diffusers {P.DIFFUSERS_COMMIT} pipelines as tools/reference_pipeline.py; "
        "schedulers: diffusers' own classes at that commit (tools/diffusion/sampler_pipeline_reference.py).",
    )
    text = json.dumps({"notes": notes, "cases": entries}, indent=2)
    text = re.sub(r"\[([-0-9.e+,\s]+)\]", lambda mt: "[" + re.sub(r"\s+", " ", mt.group(1)).strip() + "]", text)
    (OUT / "manifest.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
