#!/usr/bin/python3
"""Converts the LAION aesthetic predictor's PyTorch weights into the ONNX graph AestheticScorer reads.

The predictor (github.com/christophschuhmann/improved-aesthetic-predictor, files
simple_inference.py and train_predictor.py, class MLP) is

    layers = Sequential(Linear(768, 1024), Dropout(0.2), Linear(1024, 128), Dropout(0.2),
                        Linear(128, 64), Dropout(0.1), Linear(64, 16), Linear(16, 1))

applied to the L2-normalised CLIP ViT-L/14 image embedding; the published file
sac+logos+ava1-l14-linearMSE.pth is that module's state_dict, so its keys are exactly

    layers.0.weight [1024, 768]   layers.0.bias [1024]
    layers.2.weight [128, 1024]   layers.2.bias [128]
    layers.4.weight [64, 128]     layers.4.bias [64]
    layers.6.weight [16, 64]      layers.6.bias [16]
    layers.7.weight [1, 16]       layers.7.bias [1]

(indices 1, 3 and 5 are the Dropouts, which hold no weights and do nothing at inference; there is
no activation between the Linears in this "linear" variant). A PyTorch Lightning checkpoint with
the same keys under "state_dict" is accepted too. The widths are read from the file and checked to
chain (each layer's input = the previous layer's output, one output), so any embedding width works.

Output: an ONNX graph (opset 14) with input "input" [batch, D] float32 and output "output"
[batch, 1]; its doc_string records the source file's SHA-256. The script checks the graph against
the PyTorch module before it returns, evaluating its Gemm nodes with numpy (no onnxruntime here).

Usage (Debian's /usr/bin/python3 with torch 1.13 and onnx 1.12):
  /usr/bin/python3 tools/quality/aesthetic_to_onnx.py sac+logos+ava1-l14-linearMSE.pth model.onnx
then put model.onnx at ATELIER_HOME/models/laion-aesthetic/model.onnx (or pass --aesthetic-model).

  /usr/bin/python3 tools/quality/aesthetic_to_onnx.py --test-fixture
writes a randomly initialised state_dict with the same keys (embedding width 16, the tiny test
CLIP's, narrower hidden layers so the file stays small) to a temporary .pth, converts that file,
and writes core/src/test/resources/quality/aesthetic-converted/{model.onnx,reference.json}:
reference.json holds random L2-normalised embeddings and the PyTorch MLP's ratings of them, which
AestheticConversionTest compares with ONNX Runtime in Java.
"""
import hashlib
import json
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper

LINEAR_INDICES = (0, 2, 4, 6, 7)
EXPECTED_KEYS = ["layers.%d.%s" % (i, p) for i in LINEAR_INDICES for p in ("weight", "bias")]
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.normpath(os.path.join(HERE, "..", "..", "core/src/test/resources/quality/aesthetic-converted"))


class LaionMlp(torch.nn.Module):
    """The predictor's module layout (dropout rates as published); widths from the state_dict."""

    def __init__(self, widths):
        super().__init__()
        d, h1, h2, h3, h4 = widths
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(d, h1), torch.nn.Dropout(0.2), torch.nn.Linear(h1, h2), torch.nn.Dropout(0.2),
            torch.nn.Linear(h2, h3), torch.nn.Dropout(0.1), torch.nn.Linear(h3, h4), torch.nn.Linear(h4, 1))

    def forward(self, x):
        return self.layers(x)


def load_state_dict(path):
    state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        sys.exit("%s: expected a state_dict (a dict of tensors), found %s" % (path, type(state).__name__))
    keys = sorted(state)
    if keys != sorted(EXPECTED_KEYS):
        missing = sorted(set(EXPECTED_KEYS) - set(keys))
        extra = sorted(set(keys) - set(EXPECTED_KEYS))
        sys.exit("%s: expected the keys %s, found missing %s, unexpected %s (a ReLU variant or another"
                 " model?)" % (path, ", ".join(EXPECTED_KEYS), missing, extra))
    return state


def widths_of(state, path):
    widths = [state["layers.0.weight"].shape[1]]
    for i in LINEAR_INDICES:
        w, b = state["layers.%d.weight" % i], state["layers.%d.bias" % i]
        if w.dim() != 2 or w.shape[1] != widths[-1] or b.shape != (w.shape[0],):
            sys.exit("%s: layers.%d: expected weight [out, %d] and bias [out], found %s and %s"
                     % (path, i, widths[-1], list(w.shape), list(b.shape)))
        widths.append(w.shape[0])
    if widths[-1] != 1:
        sys.exit("%s: expected one output (a rating), found %d" % (path, widths[-1]))
    return widths[:-1]


def numpy_eval(graph_path, x):
    """Evaluates a chain of Gemm nodes (what torch exports for Linear on 2-D input) with numpy."""
    model = onnx.load(graph_path)
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values = {model.graph.input[0].name: x}
    for node in model.graph.node:
        if node.op_type != "Gemm":
            raise SystemExit("%s: expected only Gemm nodes, found %s" % (graph_path, node.op_type))
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        a = values[node.input[0]]
        b = init[node.input[1]]
        b = b.T if attrs.get("transB", 0) else b
        values[node.output[0]] = attrs.get("alpha", 1.0) * a @ b + attrs.get("beta", 1.0) * init[node.input[2]]
    return values[model.graph.output[0].name]


def convert(src, dst):
    state = load_state_dict(src)
    widths = widths_of(state, src)
    mlp = LaionMlp(widths).eval()
    mlp.load_state_dict(state)
    with open(src, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    torch.onnx.export(mlp, torch.zeros(1, widths[0]), dst, opset_version=14, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    model = onnx.load(dst)
    model.doc_string = "LAION aesthetic predictor MLP converted by tools/quality/aesthetic_to_onnx.py from %s (sha256 %s)" % (
        os.path.basename(src), sha)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    # The graph must compute what the PyTorch module computes.
    x = np.random.default_rng(0).standard_normal((4, widths[0])).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    with torch.no_grad():
        want = mlp(torch.from_numpy(x)).numpy()
    got = numpy_eval(dst, x)
    if not np.allclose(got, want, rtol=1e-4, atol=1e-5):
        sys.exit("%s: the ONNX graph disagrees with PyTorch: %s vs %s" % (dst, got.ravel(), want.ravel()))
    print("converted %s (sha256 %s, widths %s -> 1) to %s; matches PyTorch on 4 embeddings"
          % (src, sha[:12], " -> ".join(map(str, widths)), dst))
    return mlp


def test_fixture():
    torch.manual_seed(6)
    os.makedirs(FIXTURE, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pth = os.path.join(tmp, "random-l14-linearMSE.pth")
        torch.save(LaionMlp([16, 32, 16, 8, 4]).state_dict(), pth)
        mlp = convert(pth, os.path.join(FIXTURE, "model.onnx"))
        # A state_dict with other keys (here the ReLU variant's layout) must be refused, not guessed.
        bad = os.path.join(tmp, "relu-variant.pth")
        torch.save({"layers.%d.%s" % (i, p): torch.zeros(1) for i in (0, 3, 6, 9, 11) for p in ("weight", "bias")}, bad)
        try:
            convert(bad, os.path.join(tmp, "bad.onnx"))
            sys.exit("expected the ReLU-variant keys to be refused")
        except SystemExit as e:
            if "expected the keys" not in str(e.code):
                raise
            print("refused as expected:", str(e.code)[len(tmp) + 1:][:90], "...")
    x = torch.randn(3, 16)
    x = x / x.norm(dim=1, keepdim=True)
    with torch.no_grad():
        ratings = mlp(x)[:, 0].tolist()
    ref = {"source": "tools/quality/aesthetic_to_onnx.py --test-fixture (torch %s, onnx %s): a random"
                     " state_dict with the LAION keys, saved, converted, rated by the PyTorch module"
                     % (torch.__version__, onnx.__version__),
           "embeddings": x.tolist(), "ratings": ratings}
    with open(os.path.join(FIXTURE, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
    print("wrote", FIXTURE)


def main():
    if sys.argv[1:] == ["--test-fixture"]:
        test_fixture()
    elif len(sys.argv) == 3:
        convert(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
