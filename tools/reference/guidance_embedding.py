#!/usr/bin/env python3
"""Reference values for atelier.diffusion.GuidanceEmbedding (LCM's timestep_cond).

Runs diffusers' own `get_guidance_scale_embedding` (LatentConsistencyModelPipeline,
src/diffusers/pipelines/latent_consistency_models/pipeline_latent_consistency_text2img.py),
taken from a diffusers source tree and executed with Debian's python3-torch, and writes
core/src/test/resources/reference/guidance_embedding.json.

Usage: /usr/bin/python3 tools/reference/guidance_embedding.py DIFFUSERS_SRC_DIR [DIFFUSERS_COMMIT]
(DIFFUSERS_SRC_DIR is a checkout's root, e.g. /tmp/diffusers holding src/diffusers/...).
"""
import ast
import json
import pathlib
import sys

import torch

root = pathlib.Path(sys.argv[1])
source = root / "src/diffusers/pipelines/latent_consistency_models/pipeline_latent_consistency_text2img.py"
tree = ast.parse(source.read_text())
func = next(
    n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "get_guidance_scale_embedding"
)
namespace = {"torch": torch}
exec(compile(ast.Module(body=[func], type_ignores=[]), str(source), "exec"), namespace)
embed = namespace["get_guidance_scale_embedding"]

cases = []
for guidance in [8.0, 1.0, 4.5, 1.5]:
    w = torch.tensor(guidance - 1).repeat(1)  # as LatentConsistencyModelPipeline.__call__ does
    e = embed(None, w, embedding_dim=256)[0]
    cases.append({"guidance": guidance, "dim": 256, "values": [float(v) for v in e]})
out = pathlib.Path(__file__).resolve().parents[2] / "core/src/test/resources/reference/guidance_embedding.json"
out.write_text(json.dumps({"source": str(source.relative_to(root)), "diffusers_commit": sys.argv[2] if len(sys.argv) > 2 else None, "torch": torch.__version__, "cases": cases}, indent=1))
print("wrote", out)
