"""Writes tiny single-file checkpoints in the LDM/A1111 key naming, and the outputs the torch modules
give on fixed inputs, for the Java conversion tests.

What it makes, in core/src/test/resources/checkpoints/:
  tiny-sd1.safetensors        the weights of the tiny SD 1.x test model sd15-optimum-1.22 (tiny_spec:
                              text-sd1-tiny, unet-sd1, vae), float32, LDM keys, plus the keys real
                              checkpoints carry that a conversion ignores (model_ema.*, the noise
                              schedule, CLIP's position_ids)
  tiny-sd1-fp16.safetensors   the same weights rounded to float16, stored as F16
  tiny-sd2-v.safetensors      the tiny SD 2.x 768-v test model sd21v-optimum (text-sd2-tiny, unet-sd2,
                              vae), float32, OpenCLIP text keys (fused in_proj, one extra unused layer,
                              text_projection, logit_scale)
  tiny-sd2-v.yaml             the LDM config beside it that says parameterization: "v"
  *.reference.safetensors     inputs and torch outputs of every stage (text encoder, UNet, VAE encoder
                              and decoder); the fp16 file's outputs under "fp16." (computed with the
                              rounded weights)
Because the weights are exactly those of the tiny ONNX test models, a converted checkpoint must also
reproduce their golden images (core/src/test/resources/golden, tools/reference_pipeline.py).

How to run (~5 s, deterministic):
    /usr/bin/python3 tools/checkpoint/make_checkpoints.py
With --full DIR it writes instead a full-size random SD 1.5 checkpoint in float16 (DIR/sd15-random.safetensors,
~2 GB, never committed) and its references, for the slow check (docs/models.md; under the big-job lock):
    flock /work/notes/bigjob.lock /usr/bin/python3 tools/checkpoint/make_checkpoints.py --full /tmp/ckpt-full
With --full-sd2 DIR, the same for SD 2.1 768-v (DIR/sd21-random.safetensors, ~2.6 GB float16: OpenCLIP ViT-H
text encoder with its unused 24th layer and projection heads, the SD 2.x UNet) and a .yaml beside it that
says parameterization: "v".
Needs Debian's torch (1.13).
"""

import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ldm_names  # noqa: E402
import tiny_spec  # noqa: E402
from make_tiny_models import VaeDecoderGraph, VaeEncoderGraph  # noqa: E402

OUT = TOOLS.parent / "core" / "src" / "test" / "resources" / "checkpoints"
V_YAML = (
    "# The LDM config of a 768-v SD 2.x model (abridged): what tells v-prediction apart.\n"
    "model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n  params:\n"
    "    parameterization: \"v\"\n    linear_start: 0.00085\n    linear_end: 0.0120\n"
    "    cond_stage_key: \"txt\"\n    image_size: 96\n    channels: 4\n"
)
DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.int64): "I64"}


def write_safetensors(path, tensors, metadata=None, dtype=None):
    """The safetensors format: 8-byte little-endian header length, JSON header, raw data.

    Streams one tensor at a time; with `dtype` (np.float16) float32 tensors are stored in it."""
    def stored(arr):
        return arr.astype(dtype) if dtype is not None and arr.dtype == np.float32 else arr

    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = metadata
    for name, arr in tensors.items():
        kind = np.dtype(dtype) if dtype is not None and arr.dtype == np.float32 else arr.dtype
        size = int(np.prod(arr.shape, dtype=np.int64)) * kind.itemsize
        header[name] = {"dtype": DTYPES[kind], "shape": list(arr.shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for arr in tensors.values():
            a = np.ascontiguousarray(stored(arr))
            f.write(a.astype(a.dtype.newbyteorder("<")).tobytes())


def ldm_state(variant, text, unet, vae, extra_layer_seed=99):
    """The LDM key -> float32 array of the three modules."""
    sd2 = variant.text.act == "gelu"
    out = {}
    for name, p in unet.named_parameters():
        out[ldm_names.unet_key(name, variant.unet)] = p.detach().numpy()
    for name, p in vae.named_parameters():
        key = ldm_names.vae_key(name, variant.vae)
        a = p.detach().numpy()
        out[key] = a.reshape(a.shape + (1, 1)) if ldm_names.vae_is_attention_projection(key) else a
    hidden = variant.text.hidden
    for name, p in text.named_parameters():
        a = p.detach().numpy()
        if not sd2:
            out[ldm_names.text_sd1_key(name)] = a
            continue
        key, rows = ldm_names.text_sd2_key(name, hidden)
        if rows is None:
            out[key] = a
        else:
            fused = out.setdefault(key, np.zeros((3 * hidden,) + a.shape[1:], np.float32))
            fused[rows[0]:rows[1]] = a
    if sd2:  # OpenCLIP's last layer, which SD 2.x does not use, and the projection heads
        g = torch.Generator().manual_seed(extra_layer_seed)
        last = f"{ldm_names.TEXT_SD2}transformer.resblocks.{variant.text.layers}."
        for suffix, shape in (("ln_1.weight", [hidden]), ("ln_1.bias", [hidden]), ("attn.in_proj_weight", [3 * hidden, hidden]),
                              ("attn.in_proj_bias", [3 * hidden]), ("attn.out_proj.weight", [hidden, hidden]),
                              ("attn.out_proj.bias", [hidden]), ("ln_2.weight", [hidden]), ("ln_2.bias", [hidden]),
                              ("mlp.c_fc.weight", [4 * hidden, hidden]), ("mlp.c_fc.bias", [4 * hidden]),
                              ("mlp.c_proj.weight", [hidden, 4 * hidden]), ("mlp.c_proj.bias", [hidden])):
            out[last + suffix] = torch.randn(shape, generator=g).numpy()
        out[ldm_names.TEXT_SD2 + "text_projection"] = torch.randn((hidden, hidden), generator=g).numpy()
        out[ldm_names.TEXT_SD2 + "logit_scale"] = np.array(4.6052, np.float32)
    else:
        out[ldm_names.TEXT_SD1 + "text_model.embeddings.position_ids"] = np.arange(77, dtype=np.int64)[None]
    # Keys of every real LDM checkpoint that a conversion ignores.
    betas = np.linspace(0.00085**0.5, 0.012**0.5, 1000, dtype=np.float64) ** 2
    out["alphas_cumprod"] = np.cumprod(1 - betas).astype(np.float32)
    out["betas"] = betas.astype(np.float32)
    out["model_ema.decay"] = np.array(0.9999, np.float32)
    out["model_ema.num_updates"] = np.array(0, np.int64)
    return dict(sorted(out.items()))


@torch.no_grad()
def references(variant, text, unet, vae, prefix=""):
    g = torch.Generator().manual_seed(10)
    ids = torch.tensor([[(i * 37 + 5) % variant.text.vocab_size for i in range(77)]], dtype=torch.int64)
    sample = torch.randn((1, 4, 8, 8), generator=g)
    timestep = torch.tensor(500.0)
    context = torch.randn((1, 77, variant.unet.cross_attention_dim), generator=g)
    latent = torch.randn((1, 4, 8, 8), generator=g) * 5
    image = tiny_spec.test_pattern(64)
    r = {
        "text_encoder.input_ids": ids.float(),
        "text_encoder.last_hidden_state": text(ids)[0],
        "unet.sample": sample, "unet.timestep": timestep, "unet.encoder_hidden_states": context,
        "unet.out_sample": unet(sample, timestep, context),
        "vae_decoder.latent_sample": latent, "vae_decoder.sample": VaeDecoderGraph(vae)(latent),
        "vae_encoder.sample": image, "vae_encoder.latent_parameters": VaeEncoderGraph(vae, False)(image),
    }
    return {prefix + k: v.float().numpy() for k, v in r.items()}


def rounded(module):
    """A copy of a module with every parameter rounded to float16 (and kept in float32)."""
    import copy

    m = copy.deepcopy(module)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(p.half().float())
    return m


class FullSize:
    """The real SD 1.5 or SD 2.1 768-v sizes in the shape of a tiny_spec Variant (text, unet, vae configs)."""

    def __init__(self, arch="sd1"):
        from sdarch import SD15_TEXT, SD15_UNET, SD15_VAE

        if arch == "sd1":
            self.text, self.unet, self.vae = SD15_TEXT, SD15_UNET, SD15_VAE
        else:  # the same configs the full-size sd2 template was made from
            from make_templates import SD2_TEXT, sd2_unet

            self.text, self.unet, self.vae = SD2_TEXT, sd2_unet(96), SD15_VAE


def full_size(out, arch="sd1"):
    """A full-size random SD 1.5 or 2.1 768-v checkpoint (float16) and its torch reference outputs."""
    from bench_model import random_init
    from sdarch import ClipTextModel, UNet2DCondition, Vae

    v = FullSize(arch)
    name = "sd15-random" if arch == "sd1" else "sd21-random"
    text = random_init(ClipTextModel(v.text), 1)
    unet = random_init(UNet2DCondition(v.unet), 2)
    vae = random_init(Vae(v.vae), 3)
    with torch.no_grad():  # unit-variance noise predictions, like a trained UNet
        context = torch.randn(1, 77, v.unet.cross_attention_dim)
        std = unet(torch.randn(1, 4, 8, 8), torch.tensor([500.0]), context).std()
        unet.conv_out.weight.div_(std)
        unet.conv_out.bias.div_(std)
        for m in (text, unet, vae):  # the file is float16: the references use the same values
            for p in m.parameters():
                p.copy_(p.half().float())
    out.mkdir(parents=True, exist_ok=True)
    meta = {"format": "pt", "source": "tools/checkpoint/make_checkpoints.py --full (random weights)"}
    write_safetensors(out / f"{name}.safetensors", ldm_state(v, text, unet, vae), meta, np.float16)
    if arch != "sd1":
        (out / f"{name}.yaml").write_text(V_YAML)
    write_safetensors(out / f"{name}.reference.safetensors", references(v, text, unet, vae))
    for p in sorted(out.iterdir()):
        print(f"  {p}  {p.stat().st_size:,} bytes")


def main():
    torch.set_grad_enabled(False)
    if len(sys.argv) == 3 and sys.argv[1] in ("--full", "--full-sd2"):
        full_size(Path(sys.argv[2]), "sd1" if sys.argv[1] == "--full" else "sd2")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for name, variant_name in (("tiny-sd1", "sd15-optimum-1.22"), ("tiny-sd2-v", "sd21v-optimum")):
        v = tiny_spec.VARIANTS[variant_name]
        text, unet, vae = tiny_spec.text_encoder(v), tiny_spec.unet(v), tiny_spec.vae(v)
        meta = {"format": "pt", "source": f"tools/checkpoint/make_checkpoints.py from tiny_spec {variant_name}"}
        write_safetensors(OUT / f"{name}.safetensors", ldm_state(v, text, unet, vae), meta)
        refs = references(v, text, unet, vae)
        if name == "tiny-sd1":
            r_text, r_unet, r_vae = rounded(text), rounded(unet), rounded(vae)
            state = ldm_state(v, r_text, r_unet, r_vae)
            half = {k: (a.astype(np.float16) if a.dtype == np.float32 else a) for k, a in state.items()}
            write_safetensors(OUT / f"{name}-fp16.safetensors", half, meta)
            refs.update(references(v, r_text, r_unet, r_vae, "fp16."))
        else:
            (OUT / f"{name}.yaml").write_text(V_YAML)
        write_safetensors(OUT / f"{name}.reference.safetensors", refs)
    for p in sorted(OUT.iterdir()):
        print(f"  {p.name}  {p.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
