"""Converts a diffusers-format ControlNet (config.json + safetensors) to Atelier's separate-ONNX layout.

What it makes: OUT/model.onnx (+ OUT/model.onnx_data when the weights do not fit in the graph) and
OUT/config.json, a ControlNet graph with OnnxStack's I/O names, which `atelier models import OUT
--kind controlnet` installs and `generate --control` uses with any SD 1.5 model that has a residual
UNet (docs/controlnet.md):
  inputs  sample [B,4,h,w], timestep float32 [B], encoder_hidden_states [B,77,768],
          controlnet_cond [B,3,8h,8w] (the control image in [0, 1]), conditioning_scale float64 [1]
  outputs down_block_{0..11}_additional_residual, mid_block_additional_residual
The ControlNet modules are tools/controlnet_arch.py and tools/sdarch.py, whose parameter names are
diffusers' own, so the state dict loads as it is (strict: a missing or extra key fails).

Typical use, QR code monster (monster-labs/control_v1p_sd15_qrcode_monster, 1.4 GB, the folder with
config.json and diffusion_pytorch_model.safetensors downloaded by hand):
    flock /work/notes/bigjob.lock /usr/bin/python3 tools/convert_controlnet.py \
        ~/Downloads/control_v1p_sd15_qrcode_monster qr-monster-onnx
    ./atelier models import qr-monster-onnx --id qr-monster --kind controlnet
(about 6 GB of memory and a few minutes on a CPU; the graph is float32).

    /usr/bin/python3 tools/convert_controlnet.py --self-test
writes the tiny ControlNet a of make_tiny_controlnet.py in diffusers' format (config.json and a
safetensors file written by this script), converts it and checks every weight and I/O name, so the
key mapping and the safetensors reader are exercised without real weights.

Needs Debian's python3-torch (1.13) and python3-onnx; no diffusers, no safetensors package.
"""

import argparse
import json
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))

import onnx_util  # noqa: E402
from controlnet_arch import ControlConfig, ControlNet, ControlNetGraph, residual_names  # noqa: E402
from sdarch import UNetConfig  # noqa: E402

DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    """The tensors of a .safetensors file: an 8-byte little-endian header length, a JSON header, raw data."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[base + start:base + end]
        if info["dtype"] == "BF16":
            u16 = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.astype(np.float32).reshape(info["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def config_of(cfg):
    """diffusers' ControlNetModel config.json -> ControlConfig."""
    levels = len(cfg["block_out_channels"])
    heads = cfg.get("attention_head_dim", 8)
    heads = tuple(heads) if isinstance(heads, list) else (heads,) * levels
    unet = UNetConfig(
        sample_size=cfg.get("sample_size", 64) or 64,
        block_out_channels=tuple(cfg["block_out_channels"]),
        down_block_types=tuple(cfg["down_block_types"]),
        up_block_types=tuple("UpBlock2D" for _ in range(levels)),  # a ControlNet has no up blocks
        layers_per_block=cfg["layers_per_block"],
        heads=heads,
        cross_attention_dim=cfg["cross_attention_dim"],
        norm_num_groups=cfg.get("norm_num_groups", 32),
        use_linear_projection=cfg.get("use_linear_projection", False),
        in_channels=cfg.get("in_channels", 4),
    )
    if cfg.get("global_pool_conditions"):
        raise SystemExit("global_pool_conditions ControlNets (shuffle) are not supported")
    if cfg.get("controlnet_conditioning_channel_order", "rgb") != "rgb":
        raise SystemExit("only rgb conditioning channel order is supported")
    return ControlConfig(unet, tuple(cfg.get("conditioning_embedding_out_channels", (16, 32, 96, 256))),
                         cfg.get("conditioning_channels", 3))


def weights_file(folder):
    for name in ("diffusion_pytorch_model.safetensors", "model.safetensors"):
        if (folder / name).is_file():
            return folder / name
    found = sorted(folder.glob("*.safetensors"))
    if len(found) == 1:
        return found[0]
    raise SystemExit(f"{folder}: expected diffusion_pytorch_model.safetensors, found {[p.name for p in found]}")


@torch.no_grad()
def convert(src: Path, out: Path, opset=17):
    cfg = json.loads((src / "config.json").read_text())
    net = ControlNet(config_of(cfg)).eval()
    state = read_safetensors(weights_file(src))
    missing, unexpected = net.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise SystemExit(f"{src}: weights do not fit the ControlNet: missing {missing[:5]}…, unexpected {unexpected[:5]}…")
    c = net.config.unet
    s = c.sample_size
    g = torch.Generator().manual_seed(0)
    args = (torch.randn((2, 4, s, s), generator=g), torch.tensor([981.0, 981.0]),
            torch.randn((2, 77, c.cross_attention_dim), generator=g), torch.rand((2, 3, s * 8, s * 8), generator=g),
            torch.tensor([1.0], dtype=torch.float64))
    names = residual_names(len(net.controlnet_down_blocks))
    img = {0: "batch", 2: "height", 3: "width"}
    axes = {"sample": img, "timestep": {0: "batch"}, "encoder_hidden_states": {0: "batch", 1: "sequence"},
            "controlnet_cond": img}
    for i, n in enumerate(names):
        axes[n] = {0: "batch", 2: f"height_{i}", 3: f"width_{i}"}
    out.mkdir(parents=True, exist_ok=True)
    inputs = ["sample", "timestep", "encoder_hidden_states", "controlnet_cond", "conditioning_scale"]
    big = sum(p.numel() for p in net.parameters()) * 4 > 1.8e9
    if big:
        onnx_util.export(ControlNetGraph(net), args, inputs, names, axes, opset, path=out / "model.onnx")
    else:
        onnx_util.save(onnx_util.export(ControlNetGraph(net), args, inputs, names, axes, opset), out / "model.onnx")
    (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    return net


def self_test():
    import make_tiny_controlnet as mtc

    net = mtc.controlnet("a")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "diffusers", Path(tmp) / "onnx"
        src.mkdir()
        cfg = json.loads((mtc.MODELS / mtc.NETS["a"] / "config.json").read_text())
        (src / "config.json").write_text(json.dumps(cfg))
        write_safetensors(src / "diffusion_pytorch_model.safetensors", net.state_dict())
        convert(src, out, opset=14)
        graph = onnx.load(str(out / "model.onnx"))
        params = {f"net.{k}": v for k, v in net.named_parameters()}
        same = sum(np.array_equal(numpy_helper.to_array(i), params[i.name].numpy())
                   for i in graph.graph.initializer if i.name in params)
        io = onnx_util.describe_io(graph)
        got_in = [n for n, _, _ in io["inputs"]]
        got_out = [n for n, _, _ in io["outputs"]]
        assert got_in == ["sample", "timestep", "encoder_hidden_states", "controlnet_cond", "conditioning_scale"], got_in
        assert got_out == residual_names(4), got_out
        named = sum(1 for i in graph.graph.initializer if i.name in params)
        assert named > 20 and same == named, (same, named)
        print(f"self-test: {same} weights equal after diffusers-format -> ONNX; inputs {got_in}; outputs {got_out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", nargs="?", type=Path, help="diffusers ControlNet folder (config.json + safetensors)")
    ap.add_argument("out", nargs="?", type=Path, help="output folder")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    torch.set_grad_enabled(False)
    if a.self_test:
        self_test()
        return
    if not a.source or not a.out:
        ap.error("source and out are required (or --self-test)")
    convert(a.source, a.out, a.opset)
    print(f"wrote {a.out / 'model.onnx'}; install: atelier models import {a.out} --kind controlnet")


if __name__ == "__main__":
    main()
