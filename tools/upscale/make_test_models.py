#!/usr/bin/python3
"""Makes the tiny upscaler test models under core/src/test/resources/upscale/ and their expected
outputs. Run with Debian's python3 (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 tools/upscale/make_test_models.py

Outputs (all small, committed):
  tiny-layers/          a TensorFlow.js layers model (model.json + group1-shard1of1.bin) that uses
                        every layer class Atelier converts (Conv2D 3x3/5x5/1x1 'same' and 'valid',
                        Activation relu, Concatenate, Add, UpSampling2D nearest, and UpscalerJS's
                        custom MultiplyBeta and PixelShuffle2x), x4 overall, random weights (seed 4);
                        input.f32 = a 3x10x12 (CHW) image in [0,1]; expected-range255.f32 and
                        expected-range1.f32 = the output (3x40x48, CHW, in the [0,1] convention) when
                        the model takes [0,255] (like UpscalerJS's RDN) or [0,1] (RRDN), computed
                        here with torch on NCHW tensors: an implementation independent of the Java
                        converter (kernels HWIO->OIHW by torch.permute, depth_to_space as TF defines
                        it, nearest upsampling by repeat_interleave).
  tiny-x2-even.onnx     torch.onnx.export of a Real-ESRGAN-x2plus-shaped net: pixel_unshuffle(2) first
                        (so sides must be even), convs, pixel_shuffle; NCHW, dynamic sides, x2.
  tiny-x4-nhwc-fixed.onnx  an NHWC model with a fixed 16x16 input, x4.
  <model>.input.f32, <model>.expected.f32  an input (x2-even: 3x6x8; nhwc: 3x16x16, CHW) and
                        torch's output for it (CHW), for the Java tests.
All .f32 files are little-endian float32.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "src", "test",
                   "resources", "upscale")
rng = np.random.default_rng(4)


def conv_cfg(name, filters, k, padding="same"):
    return {"class_name": "Conv2D", "name": name, "config": {
        "name": name, "trainable": True, "dtype": "float32", "filters": filters,
        "kernel_size": [k, k], "strides": [1, 1], "padding": padding,
        "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
        "activation": "linear", "use_bias": True}}


def layer(cfg, *inputs):
    cfg["inbound_nodes"] = [[[i, 0, 0, {}] for i in inputs]] if inputs else []
    return cfg


def tiny_layers():
    # (name, cin, cout, k)
    convs = [("F_m1", 3, 8, 3), ("F_1", 8, 4, 3), ("LFF", 12, 8, 1), ("FDF", 8, 8, 5),
             ("UPN", 8, 12, 3), ("SR", 3, 3, 3)]
    weights = {}
    for name, cin, cout, k in convs:
        scale = 1.0 / np.sqrt(cin * k * k)
        weights[name + "/kernel"] = (rng.standard_normal((k, k, cin, cout)) * scale).astype(np.float32)
        weights[name + "/bias"] = (rng.standard_normal(cout) * 0.05).astype(np.float32)
    layers = [
        layer({"class_name": "InputLayer", "name": "LR", "config": {
            "batch_input_shape": [None, None, None, 3], "dtype": "float32", "sparse": False,
            "ragged": False, "name": "LR"}}),
        layer(conv_cfg("F_m1", 8, 3), "LR"),
        layer(conv_cfg("F_1", 4, 3), "F_m1"),
        layer({"class_name": "Activation", "name": "F_1_Relu",
               "config": {"name": "F_1_Relu", "activation": "relu"}}, "F_1"),
        layer({"class_name": "Concatenate", "name": "Concat",
               "config": {"name": "Concat", "axis": 3}}, "F_m1", "F_1_Relu"),
        layer(conv_cfg("LFF", 8, 1, "valid"), "Concat"),
        layer({"class_name": "MultiplyBeta", "name": "multiply_beta",
               "config": {"name": "multiply_beta", "beta": 0.2}}, "LFF"),
        layer({"class_name": "Add", "name": "LRL", "config": {"name": "LRL"}}, "F_m1",
              "multiply_beta"),
        layer(conv_cfg("FDF", 8, 5), "LRL"),
        layer({"class_name": "UpSampling2D", "name": "UP", "config": {
            "name": "UP", "size": [2, 2], "data_format": "channels_last",
            "interpolation": "nearest"}}, "FDF"),
        layer(conv_cfg("UPN", 12, 3), "UP"),
        layer({"class_name": "PixelShuffle2x", "name": "pixel_shuffle",
               "config": {"name": "pixel_shuffle", "scale": 2}}, "UPN"),
        layer(conv_cfg("SR", 3, 3), "pixel_shuffle"),
    ]
    names = list(weights)
    model = {
        "format": "layers-model", "generatedBy": "tools/upscale/make_test_models.py",
        "convertedBy": None,
        "modelTopology": {"keras_version": "2.10.0", "backend": "tensorflow", "model_config": {
            "class_name": "Functional", "config": {
                "name": "tiny", "layers": layers, "input_layers": [["LR", 0, 0]],
                "output_layers": [["SR", 0, 0]]}}},
        "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": [
            {"name": n, "shape": list(weights[n].shape), "dtype": "float32"} for n in names]}],
    }
    d = os.path.join(OUT, "tiny-layers")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump(model, f, indent=1)
    with open(os.path.join(d, "group1-shard1of1.bin"), "wb") as f:
        for n in names:
            f.write(weights[n].astype("<f4").tobytes())

    x = rng.random((3, 10, 12)).astype(np.float32)
    x.astype("<f4").tofile(os.path.join(d, "input.f32"))

    def conv(t, name, pad):
        k = torch.from_numpy(weights[name + "/kernel"]).permute(3, 2, 0, 1)
        return F.conv2d(t, k, torch.from_numpy(weights[name + "/bias"]), padding=pad)

    def depth_to_space(t, s):
        n, c, h, w = t.shape
        # TF: out[h*s+i, w*s+j, c] = in[h, w, (i*s + j)*C + c]
        return t.reshape(n, s, s, c // (s * s), h, w).permute(0, 3, 4, 1, 5, 2).reshape(
            n, c // (s * s), h * s, w * s)

    for rng_max in (255, 1):
        t = torch.from_numpy(x)[None] * rng_max
        f_m1 = conv(t, "F_m1", 1)
        f_1 = torch.relu(conv(f_m1, "F_1", 1))
        lff = conv(torch.cat([f_m1, f_1], 1), "LFF", 0)
        lrl = f_m1 + lff * 0.2
        fdf = conv(lrl, "FDF", 2)
        up = fdf.repeat_interleave(2, 2).repeat_interleave(2, 3)
        upn = conv(up, "UPN", 1)
        sr = conv(depth_to_space(upn, 2), "SR", 1) / rng_max
        sr[0].numpy().astype("<f4").tofile(os.path.join(d, "expected-range%d.f32" % rng_max))


class EvenX2(torch.nn.Module):
    """Real-ESRGAN x2plus's shape: unshuffle by 2, body at quarter resolution, shuffle by 4."""

    def __init__(self):
        super().__init__()
        self.first = torch.nn.Conv2d(12, 8, 3, padding=1)
        self.body = torch.nn.Conv2d(8, 8, 3, padding=1)
        self.last = torch.nn.Conv2d(8, 3 * 16, 3, padding=1)

    def forward(self, x):
        f = self.first(F.pixel_unshuffle(x, 2))
        f = f + torch.relu(self.body(f))
        near = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return torch.clamp(F.pixel_shuffle(self.last(f), 4) + near, 0, 1)


class NhwcFixedX4(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 3 * 16, 3, padding=1)

    def forward(self, x):
        y = F.pixel_shuffle(self.conv(x.permute(0, 3, 1, 2)), 4)
        return y.permute(0, 2, 3, 1)


def tiny_onnx():
    torch.manual_seed(2)
    even = EvenX2().eval()
    x = torch.rand(1, 3, 6, 8)
    torch.onnx.export(even, x, os.path.join(OUT, "tiny-x2-even.onnx"), opset_version=13,
                      input_names=["lr"], output_names=["sr"],
                      dynamic_axes={"lr": {0: "b", 2: "h", 3: "w"}, "sr": {0: "b", 2: "H", 3: "W"}})
    with torch.no_grad():
        save("tiny-x2-even", x[0], even(x)[0])
    nhwc = NhwcFixedX4().eval()
    x = torch.rand(1, 16, 16, 3)
    torch.onnx.export(nhwc, x, os.path.join(OUT, "tiny-x4-nhwc-fixed.onnx"), opset_version=13,
                      input_names=["image"], output_names=["upscaled"])
    with torch.no_grad():
        save("tiny-x4-nhwc-fixed", x[0].permute(2, 0, 1), nhwc(x)[0].permute(2, 0, 1))


def save(name, chw_in, chw_out):
    """Input and torch's output, both CHW float32 (the NHWC model's are transposed here)."""
    chw_in.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".input.f32"))
    chw_out.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".expected.f32"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    tiny_layers()
    tiny_onnx()
    print("wrote", sorted(os.listdir(OUT)))
