#!/usr/bin/env python3
"""Reference values for A1111's "Clip skip" (atelier.pipeline.TextEncoder, atelier.model.ClipSkipRewriter).

Runs the tiny text encoders' torch modules (tools/tiny_spec.py, the same weights the ONNX files hold)
and takes what A1111 (sd_hijack_clip.encode_with_transformers) and diffusers (encode_prompt's
clip_skip) feed the UNet: for clip skip N >= 2, transformers' hidden_states[-N] (the output of the
N-th layer from the end; hidden_states[0] is the embeddings) passed through final_layer_norm; for
N = 1 last_hidden_state. Writes core/src/test/resources/reference/clip_skip.json with the first
TOKENS positions of each output (the mask is causal, so they depend only on the first TOKENS ids).

Usage: /usr/bin/python3 tools/reference/clip_skip.py
"""
import json
import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import tiny_spec  # noqa: E402

TOKENS = 6
# Ids valid in the tiny vocabulary (887) and the real one; 77 positions, the rest padding.
IDS = [885, 3, 141, 59, 265, 358] + [886] * 71


def hidden_states(model, ids):
    """transformers' output_hidden_states: the embeddings, then each layer's output."""
    tm = model.text_model
    x = tm.embeddings(ids)
    n = ids.shape[-1]
    mask = torch.full((n, n), torch.finfo(x.dtype).min, dtype=x.dtype).triu(1)
    states = [x]
    for layer in tm.encoder.layers:
        x = layer(x, mask)
        states.append(x)
    return states


cases = []
for name in ["sd15-optimum-1.22", "sd15-diffusers", "sd21v-optimum"]:
    variant = tiny_spec.VARIANTS[name]
    model = tiny_spec.text_encoder(variant)
    ids = torch.tensor([IDS], dtype=torch.int64)
    with torch.no_grad():
        last, _ = model(ids)
        states = hidden_states(model, ids)
        outputs = {"1": last}
        for skip in range(2, len(states) + 1):
            outputs[str(skip)] = model.text_model.final_layer_norm(states[-skip])
    cases.append(
        {
            "model": name,
            "layers": len(states) - 1,
            "hidden": int(last.shape[-1]),
            "skips": {k: [round(float(v), 7) for v in o[0, :TOKENS].reshape(-1)] for k, o in outputs.items()},
        }
    )

out = ROOT / "core/src/test/resources/reference/clip_skip.json"
out.write_text(json.dumps({"ids": IDS, "tokens": TOKENS, "cases": cases}) + "\n")
print("wrote", out)
