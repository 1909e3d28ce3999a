"""Builds the tiny Stable Diffusion test models in every exporter's exact folder layout and I/O.

What it makes: core/src/test/resources/models/<name>/ for
  sd15-diffusers     diffusers convert script (2022): int32 ids, float32 [batch] timestep, UNet weights
                     in unet/weights.pb, vae_encoder samples inside the graph (RandomNormalLike),
                     real CLIP vocabulary (from ../shared/data/clip-tokenizer when present)
  sd15-optimum-1.22  Optimum <= 1.22: int32 ids, int64 1-D timestep, unet/model.onnx_data, config.json
                     files, vae_encoder samples inside the graph
  sd21v-optimum      Optimum >= 1.24, SD 2.1 768-v: int64 ids, rank-0 float timestep, vae_encoder
                     returns latent_parameters (mean ‖ logvar), DDIM v_prediction, pad "!", 96x96
  sd-turbo-optimum   Optimum >= 1.24, SD-Turbo: Euler trailing, pad "!", latent_parameters
  lcm-optimum        Optimum >= 1.24, LCM Dreamshaper v7: unet takes timestep_cond [batch, 256]
  sd15-inpainting-optimum  Optimum <= 1.22 export of an SD 1.5 inpainting model: as sd15-optimum-1.22 but
                     the UNet's sample has 9 channels [latents, mask, masked-image latents]
  sd15-olive-fp16    Olive fp16: every float input/output float16, ids int32, single-file unet
plus models/README.md (generated from the graphs: every session's inputs and outputs).
Modules, seeds and sizes: tiny_spec.py; JSON contents: exporter_files.py.

How to run (about 1 minute on 2 cores; deterministic: a rerun writes byte-identical files):
    /usr/bin/python3 tools/make_tiny_models.py [--out DIR]
Needs Debian's python3-torch (1.13) and python3-onnx (1.12).
"""

import argparse
import hashlib
import os
import shutil
import sys
from pathlib import Path

import onnx
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

import exporter_files as xf  # noqa: E402
import onnx_util  # noqa: E402
import tiny_spec  # noqa: E402
from clip_bpe import ClipBpe, build_tiny_vocab, write_vocab  # noqa: E402
from sdarch import posterior_mean_std  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "core" / "src" / "test" / "resources" / "models"


def shared_tokenizer():
    env = os.environ.get("ATELIER_SHARED_DATA")
    base = Path(env) if env else REPO.parent / "shared" / "data"
    folder = base / "clip-tokenizer"
    return folder if (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file() else None


class VaeEncoderGraph(nn.Module):
    """The exported encoder: diffusers patched AutoencoderKL.forward; same parameter names."""

    def __init__(self, vae, sampled):
        super().__init__()
        self.encoder, self.quant_conv, self.sampled = vae.encoder, vae.quant_conv, sampled

    def forward(self, sample):
        params = self.quant_conv(self.encoder(sample))
        if not self.sampled:
            return params  # Optimum >= 1.23: latent_dist.parameters
        mean, std = posterior_mean_std(params)
        return mean + std * torch.randn(mean.shape)  # latent_dist.sample(): RandomNormalLike in the graph


class VaeDecoderGraph(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.post_quant_conv, self.decoder = vae.post_quant_conv, vae.decoder

    def forward(self, latent_sample):
        return self.decoder(self.post_quant_conv(latent_sample))


def export_text(v, ids_dtype, batch, in_axes, out_axes, opset):
    ids = torch.full((batch, 77), 320, dtype=ids_dtype)
    axes = {"input_ids": in_axes, **out_axes}
    return onnx_util.export(tiny_spec.text_encoder(v), (ids,), ["input_ids"], ["last_hidden_state", "pooler_output"], axes, opset)


def export_unet(v, timestep, batch, axes, opset):
    s, d = v.unet.sample_size, v.unet.cross_attention_dim
    g = torch.Generator().manual_seed(0)
    args = [torch.randn((batch, v.unet.in_channels, s, s), generator=g), timestep, torch.randn((batch, 77, d), generator=g)]
    names = ["sample", "timestep", "encoder_hidden_states"]
    if v.unet.time_cond_proj_dim:
        args.append(torch.randn((batch, v.unet.time_cond_proj_dim), generator=g))
        names.append("timestep_cond")
    return onnx_util.export(tiny_spec.unet(v), tuple(args), names, ["out_sample"], axes, opset)


def export_vae_encoder(v, sampled, batch, out_name, axes, opset):
    x = tiny_spec.test_pattern(v.size).repeat(batch, 1, 1, 1)
    return onnx_util.export(VaeEncoderGraph(tiny_spec.vae(v), sampled), (x,), ["sample"], [out_name], axes, opset)


def export_vae_decoder(v, batch, axes, opset):
    s = v.unet.sample_size
    z = torch.randn((batch, 4, s, s), generator=torch.Generator().manual_seed(0))
    return onnx_util.export(VaeDecoderGraph(tiny_spec.vae(v)), (z,), ["latent_sample"], ["sample"], axes, opset)


def write_tokenizer(v, folder, style, name_or_path):
    real = shared_tokenizer() if v.real_vocab else None
    if real:
        folder.mkdir(parents=True, exist_ok=True)
        for f in ("vocab.json", "merges.txt"):
            shutil.copyfile(real / f, folder / f)
    else:
        if v.real_vocab:
            print(f"  ! {v.name}: shared CLIP vocabulary absent, writing the tiny vocabulary instead")
        vocab, merges = build_tiny_vocab()
        assert len(vocab) == tiny_spec.TINY_VOCAB, f"tiny vocabulary has {len(vocab)} ids, tiny_spec expects {tiny_spec.TINY_VOCAB}"
        write_vocab(folder, vocab, merges)
    special, config = xf.tokenizer_files(v.pad_token, style, name_or_path)
    xf.write_json(folder / "special_tokens_map.json", special)
    xf.write_json(folder / "tokenizer_config.json", config)


# -------------------------------------------------------------------------- exporter layouts

DIFFUSERS_IMG = {0: "batch", 1: "channels", 2: "height", 3: "width"}


def write_diffusers_2022(v, out):
    """scripts/convert_stable_diffusion_checkpoint_to_onnx.py (diffusers 0.6, opset 14)."""
    xf.write_json(out / "model_index.json", xf.model_index("onnx-pipeline", "PNDMScheduler", "0.6.0"))
    (out / "scheduler").mkdir(parents=True)
    (out / "scheduler" / "scheduler_config.json").write_text(xf.SD15_PNDM_2022)
    write_tokenizer(v, out / "tokenizer", "2022", "openai/clip-vit-large-patch14")
    text = export_text(v, torch.int32, 1, {0: "batch", 1: "sequence"}, {}, 14)
    onnx_util.save(text, out / "text_encoder" / "model.onnx")
    axes = {"sample": DIFFUSERS_IMG, "timestep": {0: "batch"}, "encoder_hidden_states": {0: "batch", 1: "sequence"}}
    unet = export_unet(v, torch.randn(2, generator=torch.Generator().manual_seed(1)), 2, axes, 14)
    onnx_util.save(unet, out / "unet" / "model.onnx", "weights.pb")
    enc = export_vae_encoder(v, True, 1, "latent_sample", {"sample": DIFFUSERS_IMG}, 14)
    onnx_util.save(enc, out / "vae_encoder" / "model.onnx")
    dec = export_vae_decoder(v, 1, {"latent_sample": DIFFUSERS_IMG}, 14)
    onnx_util.save(dec, out / "vae_decoder" / "model.onnx")


OPT_IMG = {0: "batch_size", 2: "height", 3: "width"}
OPT_LATENT = {0: "batch_size", 2: "height_latent", 3: "width_latent"}


def write_optimum(v, out, new, scheduler, index_style, diffusers_version, transformers_version):
    """optimum-cli export onnx (opset 14): <= 1.22 (new=False) or >= 1.24 (new=True)."""
    index = xf.model_index("ort-sd" if index_style == "ort-inpaint" else index_style, scheduler["_class_name"], diffusers_version)
    if index_style == "ort-inpaint":
        index["_class_name"] = "ORTStableDiffusionInpaintPipeline"
    xf.write_json(out / "model_index.json", index)
    xf.write_json(out / "scheduler" / "scheduler_config.json", scheduler)
    sd2 = v.pad_token == "!"
    write_tokenizer(v, out / "tokenizer", "recent", None)
    text_axes = {"last_hidden_state": {0: "batch_size", 1: "sequence_length"}, "pooler_output": {0: "batch_size"}}
    text = export_text(v, torch.int64 if new else torch.int32, 2, {0: "batch_size", 1: "sequence_length"}, text_axes, 14)
    onnx_util.save(text, out / "text_encoder" / "model.onnx")
    xf.write_json(out / "text_encoder" / "config.json", xf.text_encoder_config(v.text, sd2, transformers_version))
    axes = {"sample": OPT_IMG, "timestep": {} if new else {0: "steps"},
            "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"}}
    if v.unet.time_cond_proj_dim:
        axes["timestep_cond"] = {0: "batch_size"}
    axes["out_sample"] = OPT_IMG
    timestep = torch.tensor(981.0) if new else torch.tensor([981, 981], dtype=torch.int64)
    unet = export_unet(v, timestep, 2, axes, 14)
    onnx_util.save(unet, out / "unet" / "model.onnx", "model.onnx_data")
    upcast = v.prediction_type == "v_prediction"
    xf.write_json(out / "unet" / "config.json", xf.unet_config(v.unet, diffusers_version, upcast))
    enc_out = "latent_parameters" if new else "latent_sample"
    enc = export_vae_encoder(v, not new, 2, enc_out, {"sample": OPT_IMG, enc_out: OPT_LATENT}, 14)
    onnx_util.save(enc, out / "vae_encoder" / "model.onnx")
    dec = export_vae_decoder(v, 2, {"latent_sample": OPT_LATENT, "sample": OPT_IMG}, 14)
    onnx_util.save(dec, out / "vae_decoder" / "model.onnx")
    for part in ("vae_encoder", "vae_decoder"):
        xf.write_json(out / part / "config.json", xf.vae_config(v.vae, diffusers_version))


def write_olive_fp16(v, out):
    """Olive examples/stable_diffusion (opset 17 conversion, then the fp16 transformer optimisation)."""
    xf.write_json(out / "model_index.json", xf.model_index("onnx-pipeline", "PNDMScheduler", "0.19.3"))
    xf.write_json(out / "scheduler" / "scheduler_config.json", xf.scheduler_config("sd15-pndm", "0.19.3"))
    write_tokenizer(v, out / "tokenizer", "recent", None)
    text = export_text(v, torch.int32, 1, {0: "batch", 1: "sequence"}, {}, 17)
    onnx_util.save(onnx_util.to_fp16(text), out / "text_encoder" / "model.onnx")
    axes = {
        "sample": {0: "unet_sample_batch", 1: "unet_sample_channels", 2: "unet_sample_height", 3: "unet_sample_width"},
        "timestep": {0: "unet_time_batch"},
        "encoder_hidden_states": {0: "unet_hidden_batch", 1: "unet_hidden_sequence"},
    }
    unet = export_unet(v, torch.rand(1, generator=torch.Generator().manual_seed(1)), 1, axes, 17)
    onnx_util.save(onnx_util.to_fp16(unet), out / "unet" / "model.onnx")
    enc_axes = {"sample": {0: "encoder_batch", 1: "encoder_channels", 2: "encoder_height", 3: "encoder_width"}}
    enc = export_vae_encoder(v, True, 1, "latent_sample", enc_axes, 17)
    onnx_util.save(onnx_util.to_fp16(enc), out / "vae_encoder" / "model.onnx")
    dec_axes = {"latent_sample": {0: "decoder_batch", 1: "decoder_channels", 2: "decoder_height", 3: "decoder_width"}}
    dec = export_vae_decoder(v, 1, dec_axes, 17)
    onnx_util.save(onnx_util.to_fp16(dec), out / "vae_decoder" / "model.onnx")


def build(name, out):
    v = tiny_spec.VARIANTS[name]
    if name == "sd15-diffusers":
        write_diffusers_2022(v, out)
    elif name == "sd15-optimum-1.22":
        write_optimum(v, out, False, xf.scheduler_config("sd15-pndm", "0.30.3"), "ort-sd", "0.30.3", "4.44.2")
    elif name == "sd21v-optimum":
        write_optimum(v, out, True, xf.scheduler_config("sd21-ddim", "0.32.2"), "sd", "0.32.2", "4.48.3")
    elif name == "sd-turbo-optimum":
        write_optimum(v, out, True, xf.scheduler_config("sd-turbo-euler", "0.32.2"), "sd", "0.32.2", "4.48.3")
    elif name == "lcm-optimum":
        write_optimum(v, out, True, xf.scheduler_config("lcm-dreamshaper", "0.32.2"), "lcm", "0.32.2", "4.48.3")
    elif name == "sd15-inpainting-optimum":
        write_optimum(v, out, False, xf.scheduler_config("sd15-pndm", "0.30.3"), "ort-inpaint", "0.30.3", "4.44.2")
    elif name == "sd15-olive-fp16":
        write_olive_fp16(v, out)
    else:
        raise ValueError(f"unknown model {name}")


# --------------------------------------------------------------------------- checks, README


@torch.no_grad()
def check_signals(v, folder):
    """Fails the build when a tiny model would make a weak test: insensitive or saturated outputs."""
    tok = ClipBpe.load(folder / "tokenizer")
    pad = tok.vocab[v.pad_token]
    ids = torch.tensor([tok.encode_padded(p, pad) for p in ("a photo of a cat", "a painting of a castle")])
    hidden, _ = tiny_spec.text_encoder(v)(ids)
    unet, vae = tiny_spec.unet(v), tiny_spec.vae(v)
    s = v.unet.sample_size
    x = torch.randn((1, v.unet.in_channels, s, s), generator=torch.Generator().manual_seed(0))
    cond = tiny_spec.guidance_embedding(torch.tensor([7.0])) if v.unet.time_cond_proj_dim else None
    base = unet(x, torch.tensor([500.0]), hidden[:1], cond)

    def rel(o):
        return float((o - base).norm() / base.norm())

    dx = 0.1 * torch.randn(x.shape, generator=torch.Generator().manual_seed(1))
    sens = {
        "prompt": rel(unet(x, torch.tensor([500.0]), hidden[1:], cond)),
        "timestep": rel(unet(x, torch.tensor([480.0]), hidden[:1], cond)),
        "sample": rel(unet(x + dx, torch.tensor([500.0]), hidden[:1], cond)),
    }
    if v.unet.in_channels == 9:  # inpainting: the mask and masked-image channels must matter too
        for name, ch in (("mask", slice(4, 5)), ("masked_latents", slice(5, 9))):
            xm = x.clone()
            xm[:, ch] += dx[:, ch] * 5
            sens[name] = rel(unet(xm, torch.tensor([500.0]), hidden[:1], cond))
    if cond is not None:
        sens["timestep_cond"] = rel(unet(x, torch.tensor([500.0]), hidden[:1], tiny_spec.guidance_embedding(torch.tensor([3.0]))))
    img = vae.decode(torch.randn((1, 4, s, s), generator=torch.Generator().manual_seed(2)) * 5)
    outside = float((img.abs() > 1).float().mean())
    print(f"  unet out std {float(base.std()):.2f}; relative change by " + ", ".join(f"{k} {r:.3f}" for k, r in sens.items())
          + f"; decoded std {float(img.std()):.2f}, {outside:.1%} outside [-1, 1]")
    assert 0.5 < float(base.std()) < 1.5 and all(r > 0.02 for r in sens.values()) and outside < 0.1, sens


def check_graphs(folder):
    for path in sorted(folder.rglob("model.onnx")):
        onnx.checker.check_model(str(path))


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def readme(out, names):
    lines = [
        "# Tiny Stable Diffusion test models",
        "",
        "Generated by `tools/make_tiny_models.py` (do not edit; rerun the script: it rewrites every folder",
        "byte for byte). Random but well-scaled weights (`tools/tiny_spec.py`): the pictures are noise-like,",
        "the shapes, names, dtypes, files and configs are those of the real exports. The same modules run in",
        "PyTorch in `tools/reference_pipeline.py`, which writes the golden outputs under `../golden/`.",
        "",
        "Dims in quotes are symbolic (dynamic) axes with the exporter's own names; numbers are fixed.",
        "",
    ]
    for name in names:
        v = tiny_spec.VARIANTS[name]
        folder = out / name
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        u, t, vae = v.unet, v.text, v.vae
        lines += [
            f"## `{name}`",
            "",
            NOTES[name],
            "",
            f"Tiny config: text encoder hidden {t.hidden}, {t.layers} layers, {t.heads} heads, MLP {t.intermediate}, "
            f"{t.act}, vocabulary {t.vocab_size}; pad token `{v.pad_token}`. UNet block_out_channels "
            f"{list(u.block_out_channels)}, layers_per_block {u.layers_per_block}, heads {list(u.heads)}, "
            f"cross-attention dim {u.cross_attention_dim}, groups {u.norm_num_groups}, "
            f"{'linear' if u.use_linear_projection else 'conv'} projections"
            + (f", time_cond_proj_dim {u.time_cond_proj_dim}" if u.time_cond_proj_dim else "")
            + f", sample_size {u.sample_size} (default {v.size}x{v.size}). VAE block_out_channels "
            f"{list(vae.block_out_channels)}, layers_per_block {vae.layers_per_block}, groups {vae.norm_num_groups}, "
            f"scaling factor {vae.scaling_factor}. Prediction type {v.prediction_type}.",
            "",
            "Files: " + ", ".join(f"`{f}`" for f in files),
            "",
            "| session | input / output | name | dtype | shape |",
            "|---|---|---|---|---|",
        ]
        for stage in ("text_encoder", "unet", "vae_encoder", "vae_decoder"):
            model = onnx.load(str(folder / stage / "model.onnx"), load_external_data=False)
            io = onnx_util.describe_io(model)
            opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
            for kind in ("inputs", "outputs"):
                for n, dtype, shape in io[kind]:
                    dims = ", ".join(f'"{d}"' if isinstance(d, str) else str(d) for d in shape)
                    lines.append(f"| {stage} (opset {opset}) | {kind[:-1]} | `{n}` | {dtype} | [{dims}] |")
        lines.append("")
    return "\n".join(lines)


NOTES = {
    "sd15-diffusers": "diffusers `scripts/convert_stable_diffusion_checkpoint_to_onnx.py` (2022) of SD 1.5: "
    "`OnnxStableDiffusionPipeline` model_index; SD 1.5's 2022 PNDM scheduler config (no `timestep_spacing`, no "
    "`prediction_type`); the real CLIP vocabulary (copied from `../shared/data/clip-tokenizer`); UNet weights in one "
    "external file `unet/weights.pb`; the VAE encoder samples the posterior inside the graph "
    "(`mean + std * RandomNormalLike`); no config.json files.",
    "sd15-optimum-1.22": "Optimum 1.13-1.22 export of SD 1.5 (`ORTStableDiffusionPipeline` model_index, written "
    "when such a pipeline is saved): int32 ids, int64 1-D timestep, `unet/model.onnx_data`, config.json per stage, "
    "posterior sampled inside the VAE encoder graph. (Optimum 1.23 already returned `latent_parameters` with the "
    "int64 timestep; 1.24 made the timestep a float scalar and the ids int64.)",
    "sd21v-optimum": "Optimum >= 1.24 export of SD 2.1 768-v: diffusers' own `StableDiffusionPipeline` model_index "
    "(lists `vae`, not `vae_encoder`/`vae_decoder`); int64 ids; rank-0 float32 timestep; the VAE encoder returns "
    "`latent_parameters` (mean ‖ logvar, 8 channels, not sampled); SD 2.1's DDIM config re-saved by diffusers "
    "(v_prediction, leading, steps_offset 1); pad token `!` (id 0).",
    "sd-turbo-optimum": "Optimum >= 1.24 export of SD-Turbo (SD 2.1 base architecture, 512 px in reality): "
    "sd-turbo's Euler config (trailing, steps_offset 1), pad `!`, `latent_parameters`.",
    "lcm-optimum": "Optimum >= 1.24 export of LCM Dreamshaper v7: `LatentConsistencyModelPipeline` model_index, "
    "LCMScheduler config (original_inference_steps 50, timestep_scaling 10, set_alpha_to_one true, leading, "
    "steps_offset 1); the UNet takes `timestep_cond` [batch, 256], the guidance-scale embedding of w = guidance - 1.",
    "sd15-inpainting-optimum": "Optimum 1.13-1.22 export of an SD 1.5 inpainting model (runwayml/"
    "stable-diffusion-inpainting style): `ORTStableDiffusionInpaintPipeline` model_index, otherwise the layout of "
    "`sd15-optimum-1.22`; the UNet's `sample` has a fixed 9-channel axis ([latents, mask, masked-image latents x "
    "scaling], diffusers' StableDiffusionInpaintPipeline order) and unet/config.json says in_channels 9.",
    "sd15-olive-fp16": "Olive `examples/stable_diffusion` fp16 output (opset 17): every float input and output "
    "is float16 (`input_ids` stays int32), the UNet is a single file; `OnnxStableDiffusionPipeline` model_index. "
    "Real Olive models also contain CUDA/DirectML-only fused operators (GroupNorm, MultiHeadAttention, ...) and fail "
    "to load on the CPU provider; this tiny one uses standard operators only (RandomNormalLike kept float32 with a "
    "cast, as Olive forces), so ONNX Runtime's CPU provider does run it (it inserts float32 casts): refusing fp16 "
    "models on CPU must be Atelier's own check of the float16 I/O, not a load failure.",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--only", nargs="*", help="model names to rebuild (default: all)")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_grad_enabled(False)
    names = list(tiny_spec.VARIANTS)
    for name in args.only or names:
        folder = args.out / name
        if folder.exists():
            shutil.rmtree(folder)
        print(f"{name}:")
        build(name, folder)
        check_graphs(folder)
        check_signals(tiny_spec.VARIANTS[name], folder)
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                print(f"  {p.relative_to(folder)}  {p.stat().st_size:,} bytes  sha256 {sha(p)}")
    (args.out / "README.md").write_text(readme(args.out, [n for n in names if (args.out / n).is_dir()]))


if __name__ == "__main__":
    main()
