"""Golden outputs: a plain-PyTorch Stable Diffusion pipeline over the tiny models' own modules.

What it makes: core/src/test/resources/golden/ with manifest.json (every case's request, the
tokenizer ids, the UNet timesteps as fed, and its output files), per output image a PNG, the final
latents and the starting latents as raw little-endian float32 (.f32, NCHW), for one case the decoded
image before quantisation, for the LCM case the guidance embedding, and the img2img basemap PNG.

How: the same torch modules the ONNX files were exported from (tools/tiny_spec.py; checked against
the ONNX initialisers at start), our own CLIP BPE tokenizer (tools/clip_bpe.py) and samplers
(tools/schedulers.py, bit-exact with diffusers), following the order of operations of diffusers'
pipeline_stable_diffusion.py, pipeline_stable_diffusion_img2img.py and
pipeline_latent_consistency_text2img.py (commit 58eb52c0803ea9af3abec60841c2a093bdf1f951):
  - ids: BOS + prompt + EOS, padded to 77 with the tokenizer's pad token; negative "" -> empty-prompt ids;
  - guidance > 1 (not LCM): one UNet batch [negative, prompt], noise = uncond + g * (cond - uncond);
  - image i of a batch: its own torch.Generator().manual_seed(seed + i); start latents
    randn((1, 4, H/8, W/8), generator) * init_noise_sigma; ancestral / LCM noise from the same generator;
  - img2img: PNG -> x/255 -> 2x - 1 -> VAE encoder parameters -> mean, logvar (clamped to [-30, 20])
    -> z = mean + exp(logvar/2) * randn(generator) -> z * 0.18215; then noise = randn(generator);
    start at t_start = steps - min(int(steps * strength), steps) with add_noise at timesteps[t_start];
  - LCM: timestep_cond = guidance-scale embedding of w = guidance - 1 (dim 256), decode `denoised`;
  - decode latents / 0.18215 -> clamp(x / 2 + 0.5, 0, 1) -> float32 * 255 -> numpy round (half to
    even) -> uint8 RGB.

How to run (a few seconds; deterministic, rewrites the folder byte for byte; needs the models built
by make_tiny_models.py):
    /usr/bin/python3 tools/reference_pipeline.py [--models DIR] [--out DIR]
Needs Debian's python3-torch (1.13), python3-onnx, python3-numpy, python3-pil.
"""

import argparse
import json
import re
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import schedulers  # noqa: E402
import tiny_spec  # noqa: E402
from clip_bpe import ClipBpe  # noqa: E402
from sdarch import posterior_mean_std  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESOURCES = REPO / "core" / "src" / "test" / "resources"
DIFFUSERS_COMMIT = "58eb52c0803ea9af3abec60841c2a093bdf1f951"
BASEMAP = "basemap-64.png"
DECODED_FOR = "a-sd15-diffusers-euler"  # the case whose first image also gets its float decoder output


@dataclass(frozen=True)
class Case:
    id: str
    model: str
    mode: str  # txt2img | img2img
    prompt: str
    negative: str
    scheduler: str  # Atelier CLI names: euler, euler-a, ddim, dpm++2m, lcm
    steps: int
    guidance: float
    seed: int
    width: int = 64
    height: int = 64
    batch: int = 1
    eta: float = 0.0
    strength: Optional[float] = None
    init: Optional[str] = None


CASES = [
    Case("a-sd15-diffusers-euler", "sd15-diffusers", "txt2img", "a photo of a cat", "", "euler", 4, 7.5, 42, batch=2),
    Case("b-sd15-optimum-ddim", "sd15-optimum-1.22", "txt2img", "a lighthouse on the sea at sunset",
         "blurry, low quality", "ddim", 5, 5.0, 7),
    Case("c-sd15-optimum-euler-a", "sd15-optimum-1.22", "txt2img", "an old castle in the fog", "", "euler-a", 4, 7.5, 1234),
    Case("d-sd21v-dpmpp2m", "sd21v-optimum", "txt2img", "a red lighthouse by the sea, oil painting", "ugly",
         "dpm++2m", 6, 7.5, 3, width=96, height=96),
    Case("e-sd-turbo-euler-1step", "sd-turbo-optimum", "txt2img", "a cute cat in the snow", "", "euler", 1, 0.0, 11),
    Case("f-lcm-4step", "lcm-optimum", "txt2img", "a portrait of an astronaut riding a horse on mars", "", "lcm", 4, 8.0, 5),
    Case("g-sd15-diffusers-img2img-euler", "sd15-diffusers", "img2img", "a watercolor painting of a castle", "",
         "euler", 10, 7.5, 9, strength=0.6, init=BASEMAP),
    Case("h-sd21v-img2img-ddim", "sd21v-optimum", "img2img", "a city street at night, cinematic lighting", "blurry",
         "ddim", 8, 7.5, 21, strength=0.5, init=BASEMAP),
]


class Model:
    """One tiny model folder: tokenizer, configs, the UNet's declared timestep, torch modules."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.variant = tiny_spec.VARIANTS[folder.name]
        self.tokenizer = ClipBpe.load(folder / "tokenizer")
        special = json.loads((folder / "tokenizer" / "special_tokens_map.json").read_text())
        pad = special["pad_token"]
        self.pad_id = self.tokenizer.vocab[pad["content"] if isinstance(pad, dict) else pad]
        self.scheduler_config = json.loads((folder / "scheduler" / "scheduler_config.json").read_text())
        unet_graph = onnx.load(str(folder / "unet" / "model.onnx"), load_external_data=False)
        t = next(i for i in unet_graph.graph.input if i.name == "timestep").type.tensor_type
        self.timestep_dtype = {1: torch.float32, 7: torch.int64}[t.elem_type]
        self.timestep_rank = len(t.shape.dim)
        self.text, self.unet, self.vae = tiny_spec.text_encoder(self.variant), tiny_spec.unet(self.variant), tiny_spec.vae(self.variant)
        self.scaling = self.variant.vae.scaling_factor

    def check_weights(self):
        """Every ONNX initialiser that kept its torch parameter name must equal that parameter."""
        checked = 0
        for stage, module in (("text_encoder", self.text), ("unet", self.unet)):
            params = dict(module.named_parameters())
            graph = onnx.load(str(self.folder / stage / "model.onnx"))
            for init in graph.graph.initializer:
                if init.name in params:
                    same = np.array_equal(numpy_helper.to_array(init), params[init.name].detach().numpy())
                    assert same, f"{self.folder.name}/{stage}: {init.name} differs from tiny_spec; rerun make_tiny_models.py"
                    checked += 1
        assert checked > 20, f"{self.folder.name}: only {checked} named initialisers found"
        return checked

    def ids(self, text):
        return self.tokenizer.encode_padded(text, self.pad_id)

    def timestep(self, t):
        """The scheduler's timestep as this graph declares it (float32 or int64; rank 0 or [1])."""
        value = torch.tensor(float(t)).to(self.timestep_dtype)
        return value if self.timestep_rank == 0 else value.reshape(1)


def read_basemap(path):
    """PNG -> float32 [1, 3, H, W] in [-1, 1] (diffusers VaeImageProcessor: x / 255, then 2x - 1)."""
    arr = np.array(Image.open(path).convert("RGB")).astype(np.float32) / 255.0
    return torch.from_numpy(2.0 * arr - 1.0).permute(2, 0, 1)[None].contiguous()


def to_uint8(image):
    """Decoder output [1, 3, H, W] -> uint8 HWC: clamp(x/2 + 0.5, 0, 1), float32 * 255, round half to even."""
    x = (image / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).numpy()[0].astype(np.float32)
    return (x * np.float32(255)).round().astype(np.uint8)


@torch.no_grad()
def run_image(case: Case, m: Model, seed: int, context, timestep_cond):
    """One image: (start latents, final latents, decoded float image, unet timesteps, img2img clean latents)."""
    sched = schedulers.make(case.scheduler, m.scheduler_config, case.steps)
    gen = torch.Generator().manual_seed(seed)
    h, w = case.height // 8, case.width // 8
    timesteps = sched.timesteps
    if case.mode == "img2img":
        init_steps = min(int(case.steps * case.strength), case.steps)
        t_start = max(case.steps - init_steps, 0)
        timesteps = timesteps[t_start:]
        sched.set_begin_index(t_start)
        mean, std = posterior_mean_std(m.vae.encode_parameters(read_basemap(RESOURCES / "golden" / case.init)))
        z = (mean + std * torch.randn(mean.shape, generator=gen)) * m.scaling
        latents = sched.add_noise(z, torch.randn(z.shape, generator=gen))
    else:
        z = None
        latents = torch.randn((1, 4, h, w), generator=gen) * sched.init_noise_sigma
    start = latents.clone()
    cfg = context.shape[0] == 2
    final = None
    for t in timesteps:
        model_in = sched.scale_model_input(torch.cat([latents] * 2) if cfg else latents)
        out = m.unet(model_in, m.timestep(t), context, timestep_cond)
        if cfg:
            uncond, cond = out.chunk(2)
            out = uncond + case.guidance * (cond - uncond)
        if case.scheduler == "ddim":
            latents, final = sched.step(out, latents, gen, eta=case.eta)
        else:
            latents, final = sched.step(out, latents, gen)
    result = final if case.scheduler == "lcm" else latents  # LCM decodes its last `denoised`
    decoded = m.vae.decode(result / m.scaling)
    return start, result, decoded, [float(t) for t in timesteps], z


def write_f32(path, tensor):
    np.ascontiguousarray(tensor.numpy(), dtype="<f4").tofile(path)


@torch.no_grad()
def run_case(case: Case, models: Path, out: Path):
    m = Model(models / case.model)
    ids = m.ids(case.prompt)
    cond = m.text(torch.tensor([ids]))[0]
    use_cfg = case.guidance > 1.0 and case.scheduler != "lcm" and not m.variant.unet.time_cond_proj_dim
    negative_ids = m.ids(case.negative) if use_cfg else None
    context = torch.cat([m.text(torch.tensor([negative_ids]))[0], cond]) if use_cfg else cond
    timestep_cond = None
    entry = {k: v for k, v in asdict(case).items()}
    if m.variant.unet.time_cond_proj_dim:
        timestep_cond = tiny_spec.guidance_embedding(torch.tensor([case.guidance - 1.0]), m.variant.unet.time_cond_proj_dim)
        name = f"{case.id}.timestep_cond.f32"
        write_f32(out / name, timestep_cond)
        entry["timestep_cond"] = {"w": case.guidance - 1.0, "file": name, "shape": list(timestep_cond.shape)}
    outputs = []
    for i in range(case.batch):
        seed = case.seed + i
        start, latents, decoded, timesteps, clean = run_image(case, m, seed, context, timestep_cond)
        stem = f"{case.id}.s{seed}"
        Image.fromarray(to_uint8(decoded)).save(out / f"{stem}.png")
        write_f32(out / f"{stem}.latents.f32", latents)
        write_f32(out / f"{stem}.start.f32", start)
        o = {"seed": seed, "png": f"{stem}.png", "latents": f"{stem}.latents.f32", "start_latents": f"{stem}.start.f32"}
        if clean is not None:
            write_f32(out / f"{stem}.init.f32", clean)
            o["init_latents"] = f"{stem}.init.f32"
        if case.id == DECODED_FOR and i == 0:
            write_f32(out / f"{stem}.decoded.f32", decoded)
            o["decoded"] = f"{stem}.decoded.f32"
        o["latents_stats"] = {"mean": float(latents.mean()), "std": float(latents.std()), "max_abs": float(latents.abs().max())}
        outputs.append(o)
    sched = schedulers.make(case.scheduler, m.scheduler_config, case.steps)
    entry.update(
        cfg=use_cfg,
        input_ids={"prompt": ids, "negative": negative_ids},
        unet_timesteps=timesteps,
        unet_timestep={"dtype": str(m.timestep_dtype).replace("torch.", ""), "rank": m.timestep_rank},
        init_noise_sigma=float(sched.init_noise_sigma),
        latent_shape=[1, 4, case.height // 8, case.width // 8],
        outputs=outputs,
    )
    if case.mode == "img2img":
        entry["t_start"] = case.steps - min(int(case.steps * case.strength), case.steps)
    return entry


def write_basemap(path):
    """The img2img basemap: tiny_spec's colourful pattern, quantised to 8-bit RGB."""
    x = tiny_spec.test_pattern(64)[0].permute(1, 2, 0).numpy()
    Image.fromarray(((x + 1) / 2 * 255).round().clip(0, 255).astype(np.uint8)).save(path)


MANIFEST_NOTES = {
    "generator": "torch.Generator().manual_seed(seed + i) for image i (CPU mt19937, torch.randn); draws per image in "
    "order: txt2img start latents; img2img posterior noise then add_noise noise; then euler-a (every step, the last "
    "included) and lcm (every step but the last) step noise.",
    "latents": "raw little-endian float32, NCHW [1, 4, height/8, width/8]: `latents` = the final latents before "
    "/ scaling_factor (for lcm the last `denoised`, which is what the LCM pipeline decodes); `start_latents` = the "
    "latents entering the first UNet call (after init_noise_sigma, or after add_noise for img2img); img2img "
    "`init_latents` = the encoded basemap z * 0.18215 before add_noise.",
    "png": "decoded = vae_decoder(latents / 0.18215); pixel = uint8(round_half_even(float32(clamp(x / 2 + 0.5, 0, 1)) "
    "* 255)), as diffusers' VaeImageProcessor.postprocess + numpy_to_pil; 8-bit RGB PNG.",
    "decoded": "raw little-endian float32 NCHW [1, 3, H, W]: the vae_decoder output `sample` before x/2+0.5, clamp and "
    "quantisation.",
    "init": "img2img basemap: PNG -> float32 x/255 -> 2x - 1, NCHW; the VAE posterior is sampled outside the graph: "
    "z = mean + exp(0.5 * clamp(logvar, -30, 20)) * randn(generator) (for latent_sample graphs, feed this noise in "
    "place of the graph's RandomNormalLike), then z * 0.18215.",
    "input_ids": "77 ids: BOS, the prompt's tokens, EOS, then the tokenizer's pad id; negative is null when no "
    "classifier-free guidance is done (guidance <= 1, or lcm).",
    "unet_timesteps": "the timesteps of the UNet calls in order, as float values; feed them in the graph's declared "
    "dtype and rank (`unet_timestep`), broadcast over the CFG batch by the graph.",
    "cfg": "true: one UNet call on the batch [negative, prompt] per step, noise = uncond + guidance * (cond - uncond).",
    "timestep_cond": "lcm only: diffusers' get_guidance_scale_embedding(w = guidance - 1, 256) as float32 [1, 256].",
    "sources": f"order of operations: diffusers {DIFFUSERS_COMMIT} (pipeline_stable_diffusion.py, "
    "pipeline_stable_diffusion_img2img.py, pipeline_latent_consistency_text2img.py); schedulers: tools/schedulers.py, "
    "bit-exact with diffusers' classes at that commit; models: tools/tiny_spec.py.",
    "tolerances": "float differences between ONNX Runtime and PyTorch are ~1e-6 relative per UNet call; see "
    "tools/README.md for the measured end-to-end effect.",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=Path, default=RESOURCES / "models")
    ap.add_argument("--out", type=Path, default=RESOURCES / "golden")
    args = ap.parse_args()
    torch.set_grad_enabled(False)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    write_basemap(args.out / BASEMAP)
    for name in sorted({c.model for c in CASES}):
        print(f"{name}: {Model(args.models / name).check_weights()} ONNX initialisers equal the torch parameters")
    entries = []
    for case in CASES:
        entry = run_case(case, args.models, args.out)
        entries.append(entry)
        stats = ", ".join(f"s{o['seed']} latents std {o['latents_stats']['std']:.3g}" for o in entry["outputs"])
        print(f"{case.id}: timesteps {entry['unet_timesteps']}; {stats}")
    manifest = {"notes": MANIFEST_NOTES, "cases": entries}
    text = json.dumps(manifest, indent=2)
    # Keep number lists (ids, timesteps, shapes) on one line.
    text = re.sub(r"\[([-0-9.e+,\s]+)\]", lambda mt: "[" + re.sub(r"\s+", " ", mt.group(1)).strip() + "]", text)
    (args.out / "manifest.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
