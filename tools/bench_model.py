"""Builds a full-size Stable Diffusion 1.5-architecture ONNX model with random weights, for benchmarks.

What it makes (never committed; bench/models/ is git-ignored): in --out, the folder layout of an
Optimum >= 1.24 export (default; int64 ids, rank-0 float timestep, vae_encoder -> latent_parameters,
config.json files) or, with --layout diffusers, of the diffusers convert script (2022; int32 ids,
float [batch] timestep, unet/weights.pb, vae_encoder sampling in the graph). Stages at SD 1.5 size:
CLIP ViT-L/14 text encoder (49,408 x 768, 12 layers, 12 heads: 123,060,480 parameters), the SD 1.5
UNet (859,520,964; weights in unet/model.onnx_data or unet/weights.pb, the graph alone is small),
the VAE decoder (49,490,179 + post_quant_conv) and encoder (34,163,592 + quant_conv). Random,
well-scaled weights: for speed measurements only, the pictures are noise. Tokenizer: the real CLIP
vocabulary from ../shared/data/clip-tokenizer when present, else the tiny test vocabulary.

How to run (about 5-10 minutes and ~12 GB RAM on 2 cores; prints progress):
    /usr/bin/python3 tools/bench_model.py --out bench/models/sd15-random [--layout optimum|diffusers] [--force]
Refuses to write into an existing folder unless --force. Needs Debian's torch (1.13) and onnx (1.12).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import onnx
import torch
from onnx import TensorProto

sys.path.insert(0, str(Path(__file__).resolve().parent))

import exporter_files as xf  # noqa: E402
import onnx_util  # noqa: E402
from clip_bpe import build_tiny_vocab, write_vocab  # noqa: E402
from make_tiny_models import VaeDecoderGraph, VaeEncoderGraph, shared_tokenizer  # noqa: E402
from sdarch import SD15_TEXT, SD15_UNET, SD15_VAE, ClipTextModel, UNet2DCondition, Vae, count  # noqa: E402

T0 = time.time()


def log(msg):
    print(f"[{time.time() - T0:6.0f} s] {msg}", flush=True)


@torch.no_grad()
def random_init(module, seed):
    """Fast, well-scaled random weights (one generator; N(0, 1/fan_in) weights, small biases)."""
    g = torch.Generator().manual_seed(seed)
    for name, p in module.named_parameters():
        if name.endswith("weight") and p.dim() >= 2:
            p.normal_(0, p[0].numel() ** -0.5, generator=g)
        elif "norm" in name and name.endswith("weight"):
            p.fill_(1.0)
        else:
            p.normal_(0, 0.02, generator=g)
    return module.eval()


def consolidate(model_path, data_name):
    """Moves the per-tensor files torch writes for a > 2 GB graph into one data file beside it."""
    folder = model_path.parent
    model = onnx.load(str(model_path), load_external_data=False)
    data = folder / data_name
    offset, done = 0, set()
    with open(data, "wb") as out:
        for t in model.graph.initializer:
            if t.data_location != TensorProto.EXTERNAL:
                continue
            entries = {e.key: e.value for e in t.external_data}
            src = folder / entries["location"]
            blob = src.read_bytes()
            out.write(blob)
            del t.external_data[:]
            for k, v in (("location", data_name), ("offset", str(offset)), ("length", str(len(blob)))):
                t.external_data.add(key=k, value=v)
            offset += len(blob)
            done.add(src)
    for src in done:
        os.remove(src)
    onnx.save_model(model, str(model_path))
    return offset


def export_big(module, args, names, outputs, axes, out_dir, data_name, opset):
    """Exports through a scratch folder (torch writes one file per tensor above 2 GB), then consolidates."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        path = Path(scratch) / "model.onnx"
        onnx_util.export(module, args, names, outputs, axes, opset, path=path)
        model = onnx.load(str(path), load_external_data=False)
        if any(t.data_location == TensorProto.EXTERNAL for t in model.graph.initializer):
            size = consolidate(path, data_name)
        else:  # under 2 GB: move the weights out ourselves so the layout is the same
            full = onnx.load(str(path))
            onnx_util.save(full, path, data_name)
            size = (path.parent / data_name).stat().st_size
        for f in Path(scratch).iterdir():
            shutil.move(str(f), out_dir / f.name)
    return size


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--layout", choices=("optimum", "diffusers"), default="optimum")
    ap.add_argument("--force", action="store_true", help="replace an existing output folder")
    args = ap.parse_args()
    out = args.out
    if out.exists():
        if not args.force:
            sys.exit(f"{out} exists; pass --force to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    new = args.layout == "optimum"
    torch.set_grad_enabled(False)
    torch.manual_seed(0)
    ver = "0.32.2"

    log(f"layout {args.layout}: configs and tokenizer")
    if new:
        xf.write_json(out / "model_index.json", xf.model_index("sd", "PNDMScheduler", ver))
        xf.write_json(out / "scheduler" / "scheduler_config.json", xf.scheduler_config("sd15-pndm", ver))
    else:
        xf.write_json(out / "model_index.json", xf.model_index("onnx-pipeline", "PNDMScheduler", "0.6.0"))
        (out / "scheduler").mkdir()
        (out / "scheduler" / "scheduler_config.json").write_text(xf.SD15_PNDM_2022)
    tok = out / "tokenizer"
    real = shared_tokenizer()
    if real:
        tok.mkdir()
        for f in ("vocab.json", "merges.txt"):
            shutil.copyfile(real / f, tok / f)
    else:
        log("shared CLIP vocabulary absent: writing the tiny test vocabulary")
        write_vocab(tok, *build_tiny_vocab())
    special, config = xf.tokenizer_files("<|endoftext|>", "recent" if new else "2022", "openai/clip-vit-large-patch14")
    xf.write_json(tok / "special_tokens_map.json", special)
    xf.write_json(tok / "tokenizer_config.json", config)
    img = {0: "batch_size", 2: "height", 3: "width"} if new else {0: "batch", 1: "channels", 2: "height", 3: "width"}
    latent = {0: "batch_size", 2: "height_latent", 3: "width_latent"} if new else img

    text = random_init(ClipTextModel(SD15_TEXT), 1)
    log(f"text encoder: {count(text):,} parameters; exporting")
    ids = torch.full((2, 77), 320, dtype=torch.int64 if new else torch.int32)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}} if new else {"input_ids": {0: "batch", 1: "sequence"}}
    m = onnx_util.export(text, (ids,), ["input_ids"], ["last_hidden_state", "pooler_output"], axes, 14)
    onnx_util.save(m, out / "text_encoder" / "model.onnx")
    if new:
        xf.write_json(out / "text_encoder" / "config.json", xf.text_encoder_config(SD15_TEXT, False, "4.48.3"))
    del text, m

    unet = random_init(UNet2DCondition(SD15_UNET), 2)
    with torch.no_grad():  # unit-variance noise predictions, like a trained UNet
        std = unet(torch.randn(1, 4, 8, 8), torch.tensor([500.0]), torch.randn(1, 77, 768)).std()
        unet.conv_out.weight.div_(std)
        unet.conv_out.bias.div_(std)
    log(f"unet: {count(unet):,} parameters; exporting (the longest step)")
    t = torch.tensor(981.0) if new else torch.tensor([981.0, 981.0])
    uargs = (torch.randn(2, 4, 8, 8), t, torch.randn(2, 77, 768))
    uaxes = {"sample": img, "timestep": {} if new else {0: "batch"}}
    uaxes["encoder_hidden_states"] = {0: "batch_size", 1: "sequence_length"} if new else {0: "batch", 1: "sequence"}
    size = export_big(unet, uargs, ["sample", "timestep", "encoder_hidden_states"], ["out_sample"], uaxes,
                      out / "unet", "model.onnx_data" if new else "weights.pb", 14)
    log(f"unet weights: {size / 2**30:.2f} GiB")
    if new:
        xf.write_json(out / "unet" / "config.json", xf.unet_config(SD15_UNET, ver))
    del unet

    vae = random_init(Vae(SD15_VAE), 3)
    log(f"vae: decoder {count(vae.decoder) + count(vae.post_quant_conv):,}, encoder "
        f"{count(vae.encoder) + count(vae.quant_conv):,} parameters; exporting")
    z = torch.randn(1, 4, 8, 8)
    m = onnx_util.export(VaeDecoderGraph(vae), (z,), ["latent_sample"], ["sample"], {"latent_sample": latent}, 14)
    onnx_util.save(m, out / "vae_decoder" / "model.onnx")
    name = "latent_parameters" if new else "latent_sample"
    m = onnx_util.export(VaeEncoderGraph(vae, not new), (torch.randn(1, 3, 64, 64),), ["sample"], [name],
                         {"sample": img}, 14)
    onnx_util.save(m, out / "vae_encoder" / "model.onnx")
    if new:
        for part in ("vae_encoder", "vae_decoder"):
            xf.write_json(out / part / "config.json", xf.vae_config(SD15_VAE, ver))
    del vae, m

    log("checking graphs")
    for p in sorted(out.rglob("model.onnx")):
        onnx.checker.check_model(str(p))
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    log(f"done: {out} ({total / 2**30:.2f} GiB)")


if __name__ == "__main__":
    main()
