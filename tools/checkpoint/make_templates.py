"""Writes the checkpoint-import templates: per architecture, the ONNX graphs of the four stages
without their weights, and the map from each stripped initializer to the checkpoint key it is read
from, so Atelier (Java) converts single-file .safetensors checkpoints with no Python.

What it makes, for --arch
  sd1, sd2            core/src/main/resources/atelier/model/checkpoint/<arch>/   (full size, committed)
  sd1-tiny, sd2-tiny  core/src/test/resources/atelier/model/checkpoint/<arch>/   (the tiny test models)
each with template.json.gz, <stage>.onnx.gz and the small files of the folder (configs, tokenizer
settings); the full-size ones share atelier/model/checkpoint/clip/{vocab.json,merges.txt}.gz (the
CLIP BPE vocabulary, from ../shared/data/clip-tokenizer).

How: the stages are built with tools/sdarch.py, every parameter gets distinct random values, and each
stage is exported exactly as the Optimum >= 1.24 export of the tiny models (make_tiny_models.py:
opset 14, int64 ids, rank-0 float timestep, VAE encoder -> latent_parameters). Each float
initializer of the graph is then matched by value to the parameter it came from (equal, or
transposed: torch exports Linear weights feeding MatMul transposed, as onnx::MatMul_N); the matched
ones become external data in <stage>/model.onnx_data at offsets fixed here, and the map records the
parameter's LDM checkpoint key (ldm_names.py), the rows of a fused tensor it takes (SD 2.x's OpenCLIP
q/k/v projection) and whether it is transposed. Every parameter must be matched, else the script fails.

How to run (tiny: ~10 s; full size: minutes and ~10 GB RAM, so under the big-job lock):
    /usr/bin/python3 tools/checkpoint/make_templates.py --arch sd1-tiny sd2-tiny
    flock /work/notes/bigjob.lock /usr/bin/python3 tools/checkpoint/make_templates.py --arch sd1 sd2
Deterministic: a rerun writes the same files. Needs Debian's torch (1.13) and onnx (1.12).
"""

import argparse
import gzip
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, numpy_helper
from torch import nn

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import exporter_files as xf  # noqa: E402
import ldm_names  # noqa: E402
import onnx_util  # noqa: E402
import tiny_spec  # noqa: E402
from clip_bpe import build_tiny_vocab, write_vocab  # noqa: E402
from make_tiny_models import VaeDecoderGraph, VaeEncoderGraph, shared_tokenizer  # noqa: E402
from sdarch import SD15_TEXT, SD15_UNET, SD15_VAE, ClipTextModel, TextConfig, UNet2DCondition, UNetConfig, Vae  # noqa: E402

REPO = TOOLS.parent
RES = "atelier/model/checkpoint"
DIFFUSERS = "0.32.2"
TRANSFORMERS = "4.48.3"

SD2_TEXT = TextConfig(vocab_size=49408, hidden=1024, layers=23, heads=16, intermediate=4096, act="gelu")


def sd2_unet(sample_size):
    return UNetConfig(
        sample_size=sample_size, block_out_channels=(320, 640, 1280, 1280),
        down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
        layers_per_block=2, heads=(5, 10, 20, 20), cross_attention_dim=1024, norm_num_groups=32,
        use_linear_projection=True,
    )


# arch -> (family, text config, unet configs by variant, vae config, tiny?)
# SD 2.x: the base (epsilon, 512 px) and 768-v models share the graphs; only configs differ.
ARCHS = {
    "sd1": dict(family="sd1", text=SD15_TEXT, unet={"sd1": SD15_UNET}, vae=SD15_VAE, tiny=False),
    "sd2": dict(family="sd2", text=SD2_TEXT, unet={"sd2": sd2_unet(64), "sd2-v": sd2_unet(96)}, vae=SD15_VAE, tiny=False),
    "sd1-tiny": dict(family="sd1", text=tiny_spec.TEXT_SD1_TINY, unet={"sd1": tiny_spec.UNET_SD1},
                     vae=tiny_spec.VAE_TINY, tiny=True),
    "sd2-tiny": dict(family="sd2", text=tiny_spec.TEXT_SD2_TINY,
                     unet={"sd2": tiny_spec.UNET_TURBO, "sd2-v": tiny_spec.UNET_SD21V}, vae=tiny_spec.VAE_TINY, tiny=True),
}
# The scheduler each family's models were published with (SD 1.5: PNDM; SD 2.x: DDIM, epsilon for
# the 512 px base models, v_prediction for the 768 px ones), as diffusers >= 0.2x re-saves them.
SCHEDULERS = {"sd1": ("sd15-pndm", None), "sd2": ("sd21-ddim", "epsilon"), "sd2-v": ("sd21-ddim", "v_prediction")}

IMG = {0: "batch_size", 2: "height", 3: "width"}
LATENT = {0: "batch_size", 2: "height_latent", 3: "width_latent"}


@torch.no_grad()
def distinct_init(module, seed):
    """Every parameter value distinct (so an exported tensor tells which parameter it is)."""
    g = torch.Generator().manual_seed(seed)
    for _, p in module.named_parameters():
        p.normal_(0, 1, generator=g)
    return module.eval()


def stage_exports(arch, text, unet, vae):
    """(stage, module, args, input names, output names, axes) as Optimum >= 1.24 exports them."""
    ids = torch.full((2, 77), 320, dtype=torch.int64)
    d = unet.config.cross_attention_dim
    return [
        ("text_encoder", text, (ids,), ["input_ids"], ["last_hidden_state", "pooler_output"],
         {"input_ids": {0: "batch_size", 1: "sequence_length"},
          "last_hidden_state": {0: "batch_size", 1: "sequence_length"}, "pooler_output": {0: "batch_size"}}),
        ("unet", unet, (torch.randn(2, 4, 8, 8), torch.tensor(981.0), torch.randn(2, 77, d)),
         ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
         {"sample": IMG, "timestep": {}, "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
          "out_sample": IMG}),
        ("vae_encoder", VaeEncoderGraph(vae, False), (torch.randn(2, 3, 64, 64),), ["sample"], ["latent_parameters"],
         {"sample": IMG, "latent_parameters": LATENT}),
        ("vae_decoder", VaeDecoderGraph(vae), (torch.randn(2, 4, 8, 8),), ["latent_sample"], ["sample"],
         {"latent_sample": LATENT, "sample": IMG}),
    ]


def key_of(values):
    return np.ascontiguousarray(values.reshape(-1)[:8], dtype=np.float32).tobytes()


def ldm_source(stage, name, cfg, unet_cfg, family):
    """(checkpoint key, rows or None, LDM shape hint) of a stage parameter."""
    if stage == "text_encoder":
        if family == "sd1":
            return ldm_names.text_sd1_key(name), None
        return ldm_names.text_sd2_key(name, cfg["text"].hidden)
    if stage == "unet":
        return ldm_names.unet_key(name, unet_cfg), None
    return ldm_names.vae_key(name, cfg["vae"]), None


def ldm_shape(key, rows, shape, family, hidden):
    if rows is not None:  # the fused in_proj: three blocks of rows
        return [3 * hidden] + list(shape[1:])
    if ldm_names.vae_is_attention_projection(key):
        return list(shape) + [1, 1]
    return list(shape)


def strip(stage, module, export_args, cfg, unet_cfg, work):
    """Exports one stage; returns (stripped ModelProto, tensor map, data bytes)."""
    name, mod, args, ins, outs, axes = export_args
    path = work / name / "model.onnx"
    path.parent.mkdir(parents=True)
    onnx_util.export(mod, args, ins, outs, axes, 14, path=path)
    model = onnx.load(str(path), load_external_data=False)
    params = {}
    for pname, p in mod.named_parameters():
        a = p.detach().numpy()
        params.setdefault(key_of(a), []).append((pname, a, False))
        if a.ndim == 2:
            params.setdefault(key_of(a.T), []).append((pname, a, True))
    family = cfg["family"]
    hidden = cfg["text"].hidden
    tensors, used, offset, kept = [], set(), 0, 0
    for t in model.graph.initializer:
        arr = numpy_helper.to_array(t, str(path.parent)) if t.data_location == TensorProto.EXTERNAL else numpy_helper.to_array(t)
        if t.data_location == TensorProto.EXTERNAL:  # torch writes every tensor of a > 2 GB graph beside it
            t.CopyFrom(numpy_helper.from_array(arr, t.name))
        match = None
        if t.data_type == TensorProto.FLOAT and arr.size >= 2:
            for pname, a, transposed in params.get(key_of(arr), []):
                src = a.T if transposed else a
                if src.size == arr.size and np.array_equal(src.reshape(-1), arr.reshape(-1)):
                    match = (pname, transposed, a.shape)
                    break
        if match is None:
            kept += arr.nbytes
            continue
        pname, transposed, pshape = match
        used.add(pname)
        key, rows = ldm_source(name, pname, cfg, unet_cfg, family)
        length = arr.size * 4
        tensors.append({
            "name": t.name, "key": key, "param": f"{name}/{pname}", "shape": list(arr.shape),
            "keyShape": ldm_shape(key, rows, pshape, family, hidden), "rows": rows, "transpose": transposed,
            "offset": offset, "length": length,
        })
        t.ClearField("raw_data")
        del t.float_data[:]
        del t.external_data[:]
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", "model.onnx_data"), ("offset", str(offset)), ("length", str(length))):
            t.external_data.add(key=k, value=v)
        offset += length
    missing = [p for p, _ in mod.named_parameters() if p not in used]
    if missing:
        raise SystemExit(f"{name}: parameters not found among the exported initializers: {missing[:10]}")
    print(f"  {name}: {len(tensors)} weights ({offset / 2**20:.1f} MiB) to external data, "
          f"{kept / 2**10:.1f} KiB of constants kept in the graph")
    return model, tensors, offset


def write_files(cfg, arch, out):
    """The small files of the model folder, per family variant; returns {variant: {dest: resource}}."""
    files = {}
    tiny = cfg["tiny"]
    text = cfg["text"]
    sd2 = cfg["family"] == "sd2"
    pad = "!" if sd2 else "<|endoftext|>"
    common = {}
    if tiny:
        vocab, merges = build_tiny_vocab()
        write_vocab(out / "tok", vocab, merges)
        for f in ("vocab.json", "merges.txt"):
            shutil.move(str(out / "tok" / f), out / f)
            common[f"tokenizer/{f}"] = f
        (out / "tok").rmdir()
    else:
        for f in ("vocab.json", "merges.txt"):
            common[f"tokenizer/{f}"] = f"/{RES}/clip/{f}.gz"
    special, tok_config = xf.tokenizer_files(pad, "recent", None)
    xf.write_json(out / "special_tokens_map.json", special)
    xf.write_json(out / "tokenizer_config.json", tok_config)
    common["tokenizer/special_tokens_map.json"] = "special_tokens_map.json"
    common["tokenizer/tokenizer_config.json"] = "tokenizer_config.json"
    xf.write_json(out / "text_encoder_config.json", xf.text_encoder_config(text, sd2, TRANSFORMERS))
    common["text_encoder/config.json"] = "text_encoder_config.json"
    for variant, unet_cfg in cfg["unet"].items():
        vae = cfg["vae"]
        side = unet_cfg.sample_size * 8
        vae_cfg = type(vae)(**{**vae.__dict__, "sample_size": side})
        kind, prediction = SCHEDULERS[variant]
        sched = xf.scheduler_config(kind, DIFFUSERS)
        if prediction:
            sched["prediction_type"] = prediction
        v = dict(common)
        for dest, obj in (
            ("model_index.json", xf.model_index("sd", sched["_class_name"], DIFFUSERS)),
            ("scheduler/scheduler_config.json", sched),
            ("unet/config.json", xf.unet_config(unet_cfg, DIFFUSERS, variant == "sd2-v")),
            ("vae_encoder/config.json", xf.vae_config(vae_cfg, DIFFUSERS)),
            ("vae_decoder/config.json", xf.vae_config(vae_cfg, DIFFUSERS)),
        ):
            res = f"{variant}-{dest.replace('/', '-')}"
            xf.write_json(out / res, obj)
            v[dest] = res
        files[variant] = v
    return files


def gz(src_bytes, dest):
    with open(dest, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as z:
        z.write(src_bytes)


def build(arch):
    cfg = ARCHS[arch]
    root = REPO / "core" / "src" / ("test" if cfg["tiny"] else "main") / "resources" / RES
    out = root / arch
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    print(f"{arch}:")
    torch.manual_seed(0)
    text = distinct_init(ClipTextModel(cfg["text"]), 1)
    unet_cfg = next(iter(cfg["unet"].values()))
    unet = distinct_init(UNet2DCondition(unet_cfg), 2)
    vae = distinct_init(Vae(cfg["vae"]), 3)
    stages = []
    keys = {}
    with tempfile.TemporaryDirectory() as tmp:
        for export_args in stage_exports(arch, text, unet, vae):
            model, tensors, size = strip(export_args[0], export_args[1], export_args, cfg, unet_cfg, Path(tmp))
            # (the checker would look for model.onnx_data; the Java conformance test loads the result)
            gz(model.SerializeToString(), out / f"{export_args[0]}.onnx.gz")
            stages.append({"folder": export_args[0], "graph": f"{export_args[0]}.onnx.gz", "data": "model.onnx_data",
                           "dataBytes": size, "tensors": tensors})
            for t in tensors:
                if keys.setdefault(t["key"], t["keyShape"]) != t["keyShape"]:
                    raise SystemExit(f"{t['key']}: two shapes {keys[t['key']]} and {t['keyShape']}")
            del model
    ignored = []
    if cfg["family"] == "sd2":
        # OpenCLIP's last layer (SD 2.x conditions on the penultimate one) and its projection heads.
        ignored = [rf"cond_stage_model\.model\.transformer\.resblocks\.{cfg['text'].layers}\..*",
                   r"cond_stage_model\.model\.(text_projection|logit_scale)"]
    template = {
        "arch": arch,
        "family": cfg["family"],
        "description": describe(cfg),
        "variants": write_files(cfg, arch, out),
        "ignored": ignored,
        "keys": keys,
        "stages": stages,
    }
    gz((json.dumps(template, indent=1) + "\n").encode(), out / "template.json.gz")
    index = root / "index.txt"
    names = set(index.read_text().split()) if index.exists() else set()
    index.write_text("\n".join(sorted(names | {arch})) + "\n")
    if not cfg["tiny"]:
        clip = root / "clip"
        clip.mkdir(exist_ok=True)
        real = shared_tokenizer()
        if real is None:
            raise SystemExit("the CLIP vocabulary (../shared/data/clip-tokenizer) is needed for full-size templates")
        for f in ("vocab.json", "merges.txt"):
            gz((real / f).read_bytes(), clip / f"{f}.gz")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"  wrote {out.relative_to(REPO)} ({total / 2**20:.2f} MiB)")


def describe(cfg):
    t, u = cfg["text"], next(iter(cfg["unet"].values()))
    return (f"text encoder hidden {t.hidden}, {t.layers} layers ({t.act}); UNet {list(u.block_out_channels)}, "
            f"heads {list(u.heads)}, context {u.cross_attention_dim}, "
            f"{'linear' if u.use_linear_projection else 'conv'} projections; VAE {list(cfg['vae'].block_out_channels)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", nargs="+", choices=sorted(ARCHS), required=True)
    args = ap.parse_args()
    torch.set_grad_enabled(False)
    for arch in args.arch:
        build(arch)


if __name__ == "__main__":
    main()
