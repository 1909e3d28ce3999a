#!/usr/bin/env python3
"""Writes a minimal Stable Diffusion ONNX folder for the model-store tests.

The folder has the diffusers-script layout (FORMATS.md): real ONNX graphs with the stage I/O names,
dtypes and ranks that Atelier checks at load time, a small CLIP-style vocabulary and a scheduler
config. The graphs compute something cheap (an embedding lookup, a scaled sample, a 1x1 convolution
and an 8x upsample), so `StableDiffusion.load` accepts the folder and `generate` runs on it in
milliseconds. It stands in for the gigabyte exports the catalog lists; the store tests serve it from
a loopback HTTP server the way Hugging Face serves a repository.

Run with Debian's Python (onnx 1.12, numpy):  /usr/bin/python3 tools/models/make_store_fixture.py
Output: core/src/test/resources/store/tiny-sd/ (about 20 KB). Deterministic: same bytes every run.
"""
import json
import os
import string

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "core", "src", "test", "resources", "store", "tiny-sd")
HIDDEN = 8
OPSET = 14


def vocabulary():
    tokens = ["<|startoftext|>", "<|endoftext|>"]
    for c in string.ascii_lowercase + string.digits + ",.!":
        tokens += [c, c + "</w>"]
    tokens += ["at</w>", "ca", "cat</w>"]
    return {t: i for i, t in enumerate(tokens)}


def save(model, path):
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


def text_encoder(vocab_size, rng):
    emb = numpy_helper.from_array(rng.standard_normal((vocab_size, HIDDEN)).astype(np.float32), "emb")
    graph = helper.make_graph(
        [helper.make_node("Gather", ["emb", "input_ids"], ["last_hidden_state"], axis=0)],
        "text_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT32, ["batch", 77])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", 77, HIDDEN])],
        [emb],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def unet():
    nodes = [
        helper.make_node("Mul", ["sample", "keep"], ["kept"]),
        helper.make_node("ReduceMean", ["encoder_hidden_states"], ["ctx"], axes=[1, 2], keepdims=1),
        helper.make_node("Unsqueeze", ["ctx", "axis3"], ["ctx4"]),
        helper.make_node("Cast", ["timestep"], ["t"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["t", "tiny"], ["tscaled"]),
        helper.make_node("Add", ["kept", "ctx4"], ["mixed"]),
        helper.make_node("Add", ["mixed", "tscaled"], ["out_sample"]),
    ]
    inits = [
        numpy_helper.from_array(np.array(0.9, np.float32), "keep"),
        numpy_helper.from_array(np.array(1e-4, np.float32), "tiny"),
        numpy_helper.from_array(np.array([3], np.int64), "axis3"),
    ]
    graph = helper.make_graph(
        nodes,
        "unet",
        [
            helper.make_tensor_value_info("sample", TensorProto.FLOAT, ["batch", 4, "h", "w"]),
            helper.make_tensor_value_info("timestep", TensorProto.INT64, [1]),
            helper.make_tensor_value_info(
                "encoder_hidden_states", TensorProto.FLOAT, ["batch", 77, HIDDEN]
            ),
        ],
        [helper.make_tensor_value_info("out_sample", TensorProto.FLOAT, ["batch", 4, "h", "w"])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def vae_decoder(rng):
    w = numpy_helper.from_array(rng.standard_normal((3, 4, 1, 1)).astype(np.float32) * 0.5, "w")
    scales = numpy_helper.from_array(np.array([1, 1, 8, 8], np.float32), "scales")
    nodes = [
        helper.make_node("Conv", ["latent_sample", "w"], ["rgb"]),
        helper.make_node("Resize", ["rgb", "", "scales"], ["big"], mode="nearest"),
        helper.make_node("Tanh", ["big"], ["sample"]),
    ]
    graph = helper.make_graph(
        nodes,
        "vae_decoder",
        [helper.make_tensor_value_info("latent_sample", TensorProto.FLOAT, ["batch", 4, "h", "w"])],
        [helper.make_tensor_value_info("sample", TensorProto.FLOAT, ["batch", 3, "H", "W"])],
        [w, scales],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    rng = np.random.default_rng(20240601)
    vocab = vocabulary()
    save(text_encoder(len(vocab), rng), os.path.join(OUT, "text_encoder", "model.onnx"))
    save(unet(), os.path.join(OUT, "unet", "model.onnx"))
    save(vae_decoder(rng), os.path.join(OUT, "vae_decoder", "model.onnx"))
    write_json(os.path.join(OUT, "tokenizer", "vocab.json"), vocab)
    with open(os.path.join(OUT, "tokenizer", "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\na t</w>\nc a\nca t</w>\n")
    write_json(
        os.path.join(OUT, "scheduler", "scheduler_config.json"),
        {
            "_class_name": "EulerDiscreteScheduler",
            "beta_end": 0.012,
            "beta_schedule": "scaled_linear",
            "beta_start": 0.00085,
            "num_train_timesteps": 1000,
            "prediction_type": "epsilon",
            "steps_offset": 1,
            "timestep_spacing": "leading",
        },
    )
    write_json(
        os.path.join(OUT, "model_index.json"),
        {
            "_class_name": "OnnxStableDiffusionPipeline",
            "scheduler": ["diffusers", "EulerDiscreteScheduler"],
            "text_encoder": ["diffusers", "OnnxRuntimeModel"],
            "tokenizer": ["transformers", "CLIPTokenizer"],
            "unet": ["diffusers", "OnnxRuntimeModel"],
            "vae_decoder": ["diffusers", "OnnxRuntimeModel"],
        },
    )
    print("wrote", OUT)


if __name__ == "__main__":
    main()
