"""Writes tiny diffusers-format folders of .safetensors (the layout `save_pretrained` writes) with the same
weights as the tiny single-file checkpoints of make_checkpoints.py, for the Java conversion tests.

What it makes, in core/src/test/resources/checkpoints/diffusers/:
  tiny-sd1/     the weights of tiny-sd1-fp16.safetensors (tiny_spec sd15-optimum-1.22 rounded to float16)
                as the `fp16` variant only (`*.fp16.safetensors`); the UNet sharded in two files with a
                `diffusion_pytorch_model.fp16.safetensors.index.json`; the VAE's mid-block attention in
                the old diffusers naming (query/key/value/proj_attn, as the 2022 SD 1.5 repository has
                it); the text encoder with transformers' position_ids buffer; an Euler scheduler config
                (the single-file conversion writes PNDM) and the tiny tokenizer
  tiny-sd2-v/   the weights of tiny-sd2-v.safetensors (tiny_spec sd21v-optimum) in float32, current
                diffusers naming, a DDIM scheduler config with prediction_type v_prediction
Each has model_index.json and the config.json files (unet's cross_attention_dim tells SD 1.x from 2.x).
Both must convert to the very bytes the single-file checkpoints convert to (CheckpointDiffusersTest), so
they also give the torch outputs in tiny-sd1.reference.safetensors ("fp16." entries) and
tiny-sd2-v.reference.safetensors.

How to run (~5 s, deterministic; safetensors written with plain Python, make_checkpoints.write_safetensors):
    /usr/bin/python3 tools/checkpoint/make_diffusers.py
Needs Debian's torch (1.13).
"""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import torch

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import exporter_files as xf  # noqa: E402
import tiny_spec  # noqa: E402
from clip_bpe import build_tiny_vocab, write_vocab  # noqa: E402
from make_checkpoints import OUT, rounded, write_safetensors  # noqa: E402

DIFFUSERS = "0.32.2"
TRANSFORMERS = "4.48.3"
OLD_VAE_ATTENTION = {"to_q": "query", "to_k": "key", "to_v": "value", "to_out.0": "proj_attn"}


def state(module, dtype, rename=None):
    out = {}
    for name, p in module.named_parameters():
        out[rename(name) if rename else name] = p.detach().numpy().astype(dtype)
    return dict(sorted(out.items()))


def old_vae_name(name):
    for new, old in OLD_VAE_ATTENTION.items():
        if f".attentions.0.{new}." in name:
            return name.replace(f".attentions.0.{new}.", f".attentions.0.{old}.")
    return name


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def folder(name, v, text, unet, vae, dtype, variant, scheduler, prediction, shard_unet, old_vae):
    out = OUT / "diffusers" / name
    if out.exists():
        shutil.rmtree(out)
    suffix = f".{variant}.safetensors" if variant else ".safetensors"
    meta = {"format": "pt"}
    sched = xf.scheduler_config(scheduler, DIFFUSERS)
    sched["prediction_type"] = prediction
    write_json(out / "model_index.json", xf.model_index("sd", sched["_class_name"], DIFFUSERS))
    write_json(out / "scheduler" / "scheduler_config.json", sched)
    write_json(out / "unet" / "config.json", xf.unet_config(v.unet, DIFFUSERS, prediction == "v_prediction"))
    write_json(out / "vae" / "config.json", xf.vae_config(v.vae, DIFFUSERS))
    write_json(out / "text_encoder" / "config.json",
               xf.text_encoder_config(v.text, v.text.act == "gelu", TRANSFORMERS))
    vocab, merges = build_tiny_vocab()
    write_vocab(out / "tokenizer", vocab, merges)
    special, tok_config = xf.tokenizer_files(v.pad_token, "2022", "openai/clip-vit-large-patch14")
    write_json(out / "tokenizer" / "special_tokens_map.json", special)
    write_json(out / "tokenizer" / "tokenizer_config.json", tok_config)

    text_state = state(text, dtype)
    if v.text.act != "gelu":  # transformers < 4.31 saved this buffer with the weights
        text_state["text_model.embeddings.position_ids"] = np.arange(77, dtype=np.int64)[None]
    write_safetensors(out / "text_encoder" / f"model{suffix}", dict(sorted(text_state.items())), meta)
    write_safetensors(out / "vae" / f"diffusion_pytorch_model{suffix}",
                      state(vae, dtype, old_vae_name if old_vae else None), meta)
    unet_state = state(unet, dtype)
    base = f"diffusion_pytorch_model{suffix}"
    if not shard_unet:
        write_safetensors(out / "unet" / base, unet_state, meta)
    else:
        keys = list(unet_state)
        half = len(keys) // 2
        weight_map, total = {}, 0
        for i, part in enumerate((keys[:half], keys[half:])):
            shard = base.replace(".safetensors", f"-{i + 1:05d}-of-00002.safetensors")
            write_safetensors(out / "unet" / shard, {k: unet_state[k] for k in part}, meta)
            for k in part:
                weight_map[k] = shard
                total += unet_state[k].nbytes
        write_json(out / "unet" / f"{base}.index.json", {"metadata": {"total_size": total}, "weight_map": weight_map})
    for p in sorted(out.rglob("*")):
        if p.is_file():
            print(f"  {p.relative_to(OUT)}  {p.stat().st_size:,} bytes")


def main():
    torch.set_grad_enabled(False)
    v = tiny_spec.VARIANTS["sd15-optimum-1.22"]
    text, unet, vae = tiny_spec.text_encoder(v), tiny_spec.unet(v), tiny_spec.vae(v)
    folder("tiny-sd1", v, rounded(text), rounded(unet), rounded(vae), np.float16, "fp16", "sd-turbo-euler",
           "epsilon", shard_unet=True, old_vae=True)
    v = tiny_spec.VARIANTS["sd21v-optimum"]
    folder("tiny-sd2-v", v, tiny_spec.text_encoder(v), tiny_spec.unet(v), tiny_spec.vae(v), np.float32, None,
           "sd21-ddim", "v_prediction", shard_unet=False, old_vae=False)


if __name__ == "__main__":
    main()
