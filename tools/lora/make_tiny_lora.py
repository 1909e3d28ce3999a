"""A tiny LoRA in kohya naming for the tiny SD 1.5 models, and the torch reference of its merge.

What it makes: core/src/test/resources/lora/
  tiny-sd15.safetensors  kohya/A1111 LoRA for the tiny SD 1.x UNet and text encoder
                         (tools/tiny_spec.py "unet-sd1" and "text-sd1-tiny"): lora_unet_* keys for
                         every attention projection, GEGLU/FF linear, 1x1 proj_in/proj_out conv, and
                         3x3 resnet convs (LoCon style: 3x3 down, 1x1 up); lora_te_* keys for every
                         q/k/v/out_proj and fc1/fc2. Rank 4, random up/down, an `.alpha` key on most
                         modules (alpha 2 → scale 0.5) and none on the resnet convs (alpha = rank).
  manifest.json          the inputs, the LoRA weight used and the outputs below
  *.f32                  raw little-endian float32 (NCHW): the fixed inputs and the outputs of the
                         torch modules with every ΔW merged (W + up @ down × alpha/rank × weight),
                         UNet `out_sample` and text encoder `last_hidden_state`

The merge is the kohya/A1111 one (networks.py / lora.py: up @ down, conv down kernel kept, times
multiplier × alpha / rank), done here in plain torch over the same modules the ONNX files were
exported from, so the Java side's patched ONNX Runtime sessions can be compared to it.

How to run (seconds; deterministic, rewrites the folder byte for byte):
    /usr/bin/python3 tools/lora/make_tiny_lora.py
Needs Debian's python3-torch and python3-numpy.
"""

import copy
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS))

import tiny_spec  # noqa: E402

REPO = TOOLS.parent
OUT = REPO / "core" / "src" / "test" / "resources" / "lora"
RANK = 4
ALPHA = 2.0
WEIGHT = 0.8
UNET_TARGETS = ("to_q", "to_k", "to_v", "to_out.0", "ff.net.0.proj", "ff.net.2", "proj_in", "proj_out")
CONV_TARGETS = ("conv1", "conv2")
TEXT_TARGETS = ("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2")


def targets(module, prefix, suffixes, resnet_convs=False):
    """(kohya key, torch module name, module) for the modules kohya's LoRA network trains."""
    found = []
    for name, m in module.named_modules():
        if not isinstance(m, (nn.Linear, nn.Conv2d)):
            continue
        wanted = any(name == s or name.endswith("." + s) for s in suffixes)
        if resnet_convs and ".resnets." in name and name.rsplit(".", 1)[-1] in CONV_TARGETS:
            wanted = True
        if wanted:
            found.append((prefix + name.replace(".", "_"), name, m))
    return found


def lora_pair(m, g):
    if isinstance(m, nn.Linear):
        down = torch.randn((RANK, m.in_features), generator=g) * 0.3
        up = torch.randn((m.out_features, RANK), generator=g) * 0.3
    else:
        kh, kw = m.kernel_size
        down = torch.randn((RANK, m.in_channels, kh, kw), generator=g) * 0.2
        up = torch.randn((m.out_channels, RANK, 1, 1), generator=g) * 0.3
    return down, up


def delta(down, up):
    return (up.reshape(up.shape[0], RANK) @ down.reshape(RANK, -1)).reshape(
        (up.shape[0],) + tuple(down.shape[1:]))


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def f32(path, t):
    path.write_bytes(t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes())


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    variant = tiny_spec.VARIANTS["sd15-optimum-1.22"]
    text, unet = tiny_spec.text_encoder(variant), tiny_spec.unet(variant)
    merged_text, merged_unet = copy.deepcopy(text), copy.deepcopy(unet)
    g = torch.Generator().manual_seed(20261207)
    tensors, counts = {}, {"unet": 0, "text": 0}
    plan = [("unet", unet, merged_unet, targets(unet, "lora_unet_", UNET_TARGETS, resnet_convs=True)),
            ("text", text, merged_text, targets(text, "lora_te_", TEXT_TARGETS))]
    for part, original, merged, found in plan:
        merged_modules = dict(merged.named_modules())
        for key, name, m in found:
            down, up = lora_pair(m, g)
            with_alpha = not (part == "unet" and ".resnets." in name)
            tensors[key + ".lora_down.weight"] = down
            tensors[key + ".lora_up.weight"] = up
            if with_alpha:
                tensors[key + ".alpha"] = torch.tensor(ALPHA)
            scale = WEIGHT * (ALPHA if with_alpha else RANK) / RANK
            with torch.no_grad():
                merged_modules[name].weight += delta(down, up) * scale
            counts[part] += 1
    write_safetensors(OUT / "tiny-sd15.safetensors", tensors,
                      {"ss_network_module": "networks.lora", "ss_network_dim": str(RANK),
                       "ss_network_alpha": str(ALPHA)})

    gi = torch.Generator().manual_seed(7)
    sample = torch.randn((1, 4, 8, 8), generator=gi)
    hidden = torch.randn((1, 77, 16), generator=gi)
    timestep = 500
    ids = [49406 % variant.text.vocab_size] + [(i * 37 + 11) % variant.text.vocab_size for i in range(20)]
    ids = ids + [variant.text.vocab_size - 1] * (77 - len(ids))
    f32(OUT / "unet-sample.f32", sample)
    f32(OUT / "unet-hidden.f32", hidden)
    with torch.no_grad():
        t = torch.tensor([timestep])
        f32(OUT / "unet-plain.f32", unet(sample, t, hidden))
        f32(OUT / "unet-merged.f32", merged_unet(sample, t, hidden))
        id_tensor = torch.tensor([ids])
        f32(OUT / "text-plain.f32", text(id_tensor)[0])
        f32(OUT / "text-merged.f32", merged_text(id_tensor)[0])
    manifest = {
        "source": "tools/lora/make_tiny_lora.py",
        "model": "sd15-optimum-1.22",
        "lora": "tiny-sd15.safetensors",
        "rank": RANK, "alpha": ALPHA, "weight": WEIGHT,
        "modules": counts,
        "unet": {"sample": "unet-sample.f32", "sampleShape": [1, 4, 8, 8], "timestep": timestep,
                 "hidden": "unet-hidden.f32", "hiddenShape": [1, 77, 16],
                 "plain": "unet-plain.f32", "merged": "unet-merged.f32"},
        "text": {"ids": ids, "plain": "text-plain.f32", "merged": "text-merged.f32", "hidden": 16},
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {OUT}: {counts['unet']} UNet and {counts['text']} text encoder modules")


if __name__ == "__main__":
    main()
