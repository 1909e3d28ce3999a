"""Builds the tiny ControlNet test models in the real export layouts, beside the tiny SD models.

What it makes, under core/src/test/resources/models/ (needs sd15-optimum-1.22 from make_tiny_models.py):
  controlnet-tiny-a/        a separate ControlNet export: model.onnx (+ config.json). Inputs sample
                            [B,4,h,w], timestep float32 [B], encoder_hidden_states [B,77,16],
                            controlnet_cond [B,3,8h,8w] (the control image in [0, 1]) and
                            conditioning_scale float64 [1]; outputs down_block_{0..3}_additional_residual
                            and mid_block_additional_residual. Names: TensorStack-AI/OnnxStack's converter
                            (OnnxStack.Converter, PatchedControlNetModel / PatchedControlNetOutput), which
                            is what TensorStack/ControlNet-onnx and ForserX's ControlNet exports carry.
                            The real SD 1.5 ControlNet has 12 down residuals (layers_per_block 2, 4 levels);
                            the tiny UNet has 4 (conv_in, block 0 resnet + downsampler, block 1 resnet).
  controlnet-tiny-b/        the same layout without the conditioning_scale input (a ControlNet exported
                            with the scale folded to 1; the caller scales the residuals), other weights.
  sd15-controlnet-onnxstack/  sd15-optimum-1.22's files plus controlnet/model.onnx: the UNet that takes
                            the residuals as extra inputs down_block_{i}_additional_residual and
                            mid_block_additional_residual (OnnxStack's ControlNetUNet2DConditionModel; the
                            ControlNet-enabled UNet sits in controlnet/ of an OnnxStack model folder;
                            onnx-web names the same graph cnet/model.onnx). Timestep float32 [B].
  sd15-controlnet-fused/    sd15-optimum-1.22's files with unet/model.onnx replaced by a UNet with both
                            tiny ControlNets (a, b) fused in, as diffusers'
                            examples/community/onnxruntime/convert_stable_diffusion_controlnet_to_onnx.py
                            writes it: inputs sample [2B,4,H,W], timestep float32 [1],
                            encoder_hidden_states [2B,77,16], controlnet_conds [2, 2B, 3, 8H, 8W],
                            conditioning_scales [2, 1]; output noise_pred.
  sd15-inpainting-controlnet-onnxstack/  sd15-inpainting-optimum's files plus controlnet/model.onnx: the
                            9-channel inpainting UNet taking the same residual inputs (sample [B,9,h,w];
                            OnnxStack's converter exports an inpainting model's ControlNet UNet from its own
                            UNet the same way). The ControlNets above fit it: they see the 4 latent channels,
                            as diffusers' StableDiffusionControlNetInpaintPipeline feeds them.
  controlnet-tiny-narrow/   a ControlNet for another UNet (block_out_channels 8, 16): its residuals do not fit
                            the tiny SD 1.5 UNet (for the mismatch error; untrained weights, scale input absent).
  control-images/           edges-64.png (a canny-like white-on-black line drawing) and blocks-64.png.
The ControlNet modules are tools/controlnet_arch.py (diffusers' ControlNetModel structure); weights are
drawn as tiny_spec draws them, the conditioning embedding's output is scaled to 1.5 times the
standard deviation of conv_in(sample) (so the control image matters), then each zero convolution is scaled so its residual has 0.4 times the
standard deviation of the skip it is added to (a real trained ControlNet's residuals are of that order;
zero-initialised ones would make every test vacuous).

How to run (seconds; deterministic):
    /usr/bin/python3 tools/make_tiny_controlnet.py [--only sd15-inpainting-controlnet-onnxstack]
(--only rewrites just that folder, leaving the other models as they are.)
Needs Debian's python3-torch (1.13), python3-onnx (1.12), python3-pil.
"""

import shutil
from dataclasses import replace
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))

import exporter_files as xf  # noqa: E402
import onnx_util  # noqa: E402
import tiny_spec  # noqa: E402
from controlnet_arch import ControlConfig, ControlNet, ControlNetGraph, FusedUnet, ResidualUnet, residual_names  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "core" / "src" / "test" / "resources" / "models"
BASE = "sd15-optimum-1.22"
VARIANT = tiny_spec.VARIANTS[BASE]
CONFIG = ControlConfig(VARIANT.unet)
NETS = {"a": "controlnet-tiny-a", "b": "controlnet-tiny-b"}
NARROW = ControlConfig(replace(VARIANT.unet, block_out_channels=(8, 16), norm_num_groups=4))
IMG = {0: "batch", 2: "height", 3: "width"}


def control_image(name, size=64):
    """The two control pictures (8-bit RGB): line drawing (a) and block pattern (b)."""
    img = Image.new("RGB", (size, size), (0, 0, 0))
    d = ImageDraw.Draw(img)
    if name == "edges":
        d.ellipse((10, 12, 50, 52), outline=(255, 255, 255), width=2)
        d.line((4, 58, 60, 6), fill=(255, 255, 255), width=2)
        d.rectangle((36, 36, 58, 58), outline=(255, 255, 255), width=1)
    else:
        for y in range(0, size, 16):
            for x in range(0, size, 16):
                if (x + y) // 16 % 2 == 0:
                    d.rectangle((x, y, x + 15, y + 15), fill=(230, 230, 230))
    return img


def to_tensor(img):
    return torch.from_numpy(np.asarray(img).astype(np.float32) / 255.0).permute(2, 0, 1)[None].contiguous()


_NETS = {}


@torch.no_grad()
def controlnet(key):
    """The tiny ControlNet `key` (a or b): deterministic weights, zero convs calibrated against the UNet skips."""
    if key in _NETS:
        return _NETS[key]
    net = ControlNet(NARROW if key == "narrow" else CONFIG).eval()
    tiny_spec.init_weights(net, f"controlnet-{key}")
    if key == "narrow":
        _NETS[key] = net
        return net
    unet = tiny_spec.unet(VARIANT)
    g = torch.Generator().manual_seed(20)
    sample = torch.randn((2, 4, 8, 8), generator=g)
    context = tiny_spec.calibration_context(16)
    t = torch.tensor([999.0, 250.0])
    cond = to_tensor(control_image("edges" if key == "a" else "blocks")).repeat(2, 1, 1, 1)
    hint = net.controlnet_cond_embedding(cond)
    k = 1.5 * float(net.conv_in(sample).std()) / float(hint.std())
    net.controlnet_cond_embedding.conv_out.weight.mul_(k)
    net.controlnet_cond_embedding.conv_out.bias.mul_(k)
    down, mid = net(sample, t, context, cond, 1.0)
    skips = skip_stds(unet, sample, t, context)
    for conv, r, s in zip(list(net.controlnet_down_blocks) + [net.controlnet_mid_block], down + [mid], skips):
        k = 0.4 * s / float(r.std())
        conv.weight.mul_(k)
        conv.bias.mul_(k)
    _NETS[key] = net
    return net


def skip_stds(unet, sample, t, context):
    from sdarch import timestep_features

    temb = unet.time_embedding(timestep_features(t, unet.config.block_out_channels[0]), None)
    x = unet.conv_in(sample)
    skips = [x]
    for block in unet.down_blocks:
        x, s = block.down(x, temb, context)
        skips.extend(s)
    x = unet.mid_block(x, temb, context)
    return [float(s.std()) for s in skips] + [float(x.std())]


def example(batch, size=64):
    g = torch.Generator().manual_seed(0)
    s = size // 8
    return (torch.randn((batch, 4, s, s), generator=g), torch.randn((batch, 77, 16), generator=g),
            torch.rand((batch, 3, size, size), generator=g))


def export_controlnet(key, out, scale_input):
    sample, context, cond = example(2)
    t = torch.tensor([981.0, 981.0])
    names = residual_names(len(controlnet(key).controlnet_down_blocks))
    axes = {"sample": IMG, "timestep": {0: "batch"}, "encoder_hidden_states": {0: "batch", 1: "sequence"},
            "controlnet_cond": IMG}
    for i, name in enumerate(names):
        axes[name] = {0: "batch", 2: f"height_{i}", 3: f"width_{i}"}
    if scale_input:
        module = ControlNetGraph(controlnet(key))
        args = (sample, t, context, cond, torch.tensor([1.0], dtype=torch.float64))
        inputs = ["sample", "timestep", "encoder_hidden_states", "controlnet_cond", "conditioning_scale"]
    else:
        class Unscaled(torch.nn.Module):
            def __init__(self, net):
                super().__init__()
                self.net = net

            def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond):
                down, mid = self.net(sample, timestep, encoder_hidden_states, controlnet_cond, 1.0)
                return (*down, mid)

        module = Unscaled(controlnet(key))
        args = (sample, t, context, cond)
        inputs = ["sample", "timestep", "encoder_hidden_states", "controlnet_cond"]
    graph = onnx_util.export(module, args, inputs, names, axes, 14)
    onnx_util.save(graph, out / "model.onnx")
    cfg = xf.unet_config(controlnet(key).config.unet, "0.30.3")
    cfg["_class_name"] = "ControlNetModel"
    for k in ("up_block_types", "out_channels", "sample_size", "time_cond_proj_dim", "upcast_attention"):
        cfg.pop(k, None)
    cfg["conditioning_embedding_out_channels"] = list(controlnet(key).config.embedding_channels)
    cfg["controlnet_conditioning_channel_order"] = "rgb"
    cfg["global_pool_conditions"] = False
    xf.write_json(out / "config.json", cfg)


def export_residual_unet(out):
    sample, context, _ = example(2)
    unet = tiny_spec.unet(VARIANT)
    down, mid = controlnet("a")(sample, torch.tensor([981.0, 981.0]), context, example(2)[2], 1.0)
    names = residual_names(len(down))
    axes = {"sample": IMG, "timestep": {0: "batch"}, "encoder_hidden_states": {0: "batch", 1: "sequence"},
            "out_sample": IMG}
    for i, name in enumerate(names):
        axes[name] = {0: "batch", 2: f"height_{i}", 3: f"width_{i}"}
    args = (sample, torch.tensor([981.0, 981.0]), context, *down, mid)
    graph = onnx_util.export(ResidualUnet(unet), args, ["sample", "timestep", "encoder_hidden_states", *names],
                             ["out_sample"], axes, 14)
    onnx_util.save(graph, out / "controlnet" / "model.onnx", "model.onnx_data")


INPAINT_BASE = "sd15-inpainting-optimum"


def export_inpaint_residual_unet(out):
    """The 9-channel inpainting UNet with residual inputs, as export_residual_unet for the plain one."""
    variant = tiny_spec.VARIANTS[INPAINT_BASE]
    unet = tiny_spec.unet(variant)
    assert unet.config.in_channels == 9 and unet.config.block_out_channels == VARIANT.unet.block_out_channels
    sample4, context, cond = example(2)
    down, mid = controlnet("a")(sample4, torch.tensor([981.0, 981.0]), context, cond, 1.0)
    g = torch.Generator().manual_seed(9)
    sample = torch.randn((2, 9, 8, 8), generator=g)
    names = residual_names(len(down))
    axes = {"sample": IMG, "timestep": {0: "batch"}, "encoder_hidden_states": {0: "batch", 1: "sequence"},
            "out_sample": IMG}
    for i, name in enumerate(names):
        axes[name] = {0: "batch", 2: f"height_{i}", 3: f"width_{i}"}
    args = (sample, torch.tensor([981.0, 981.0]), context, *down, mid)
    graph = onnx_util.export(ResidualUnet(unet), args, ["sample", "timestep", "encoder_hidden_states", *names],
                             ["out_sample"], axes, 14)
    onnx_util.save(graph, out / "controlnet" / "model.onnx", "model.onnx_data")


def export_fused(out):
    sample, context, cond = example(2)
    fused = FusedUnet(tiny_spec.unet(VARIANT), [controlnet("a"), controlnet("b")])
    conds = torch.stack([cond, cond.flip(0)])
    scales = torch.tensor([[1.0], [0.5]])
    axes = {"sample": {0: "2B", 2: "H", 3: "W"}, "encoder_hidden_states": {0: "2B"},
            "controlnet_conds": {1: "2B", 3: "8H", 4: "8W"}}
    graph = onnx_util.export(fused, (sample, torch.tensor([981.0]), context, conds, scales),
                             ["sample", "timestep", "encoder_hidden_states", "controlnet_conds", "conditioning_scales"],
                             ["noise_pred"], axes, 14)
    unet_dir = out / "unet"
    for f in unet_dir.iterdir():
        f.unlink()
    onnx_util.save(graph, unet_dir / "model.onnx", "model.onnx_data")
    xf.write_json(unet_dir / "config.json", xf.unet_config(CONFIG.unet, "0.30.3"))


@torch.no_grad()
def check_signals():
    """Fails when the ControlNets would make weak tests: the control must visibly change the prediction."""
    unet = tiny_spec.unet(VARIANT)
    sample, context, _ = example(1)
    t = torch.tensor([500.0])
    base = unet(sample, t, context)
    from controlnet_arch import unet_with_residuals

    for key, pic in (("a", "edges"), ("b", "blocks")):
        cond = to_tensor(control_image(pic))
        down, mid = controlnet(key)(sample, t, context, cond, 1.0)
        out = unet_with_residuals(unet, sample, t, context, down, mid)
        other = controlnet(key)(sample, t, context, to_tensor(control_image("blocks" if key == "a" else "edges")), 1.0)
        out2 = unet_with_residuals(unet, sample, t, context, *other)
        rel = float((out - base).norm() / base.norm())
        rel_img = float((out - out2).norm() / base.norm())
        print(f"  controlnet {key}: relative change of the prediction by the control {rel:.3f}, by another image {rel_img:.3f}")
        assert rel > 0.05 and rel_img > 0.02, (rel, rel_img)


def write_inpaint_residual():
    out = MODELS / "sd15-inpainting-controlnet-onnxstack"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(MODELS / INPAINT_BASE, out)
    export_inpaint_residual_unet(out)
    path = out / "controlnet" / "model.onnx"
    onnx.checker.check_model(str(path))
    io = onnx_util.describe_io(onnx.load(str(path), load_external_data=False))
    print(f"{path.relative_to(MODELS)}: in {[(n, d, s) for n, d, s in io['inputs']]}")


def main():
    torch.set_grad_enabled(False)
    base = MODELS / BASE
    assert base.is_dir(), f"{base} missing: run tools/make_tiny_models.py first"
    if sys.argv[1:] == ["--only", "sd15-inpainting-controlnet-onnxstack"]:
        write_inpaint_residual()
        return
    assert not sys.argv[1:], f"unknown arguments {sys.argv[1:]}"
    for key, name in NETS.items():
        out = MODELS / name
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        export_controlnet(key, out, scale_input=key == "a")
    narrow = MODELS / "controlnet-tiny-narrow"
    if narrow.exists():
        shutil.rmtree(narrow)
    export_controlnet("narrow", narrow, scale_input=False)
    for name, writer in (("sd15-controlnet-onnxstack", export_residual_unet), ("sd15-controlnet-fused", export_fused)):
        out = MODELS / name
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(base, out)
        writer(out)
    images = MODELS.parent / "control-images"
    images.mkdir(exist_ok=True)
    control_image("edges").save(images / "edges-64.png")
    control_image("blocks").save(images / "blocks-64.png")
    graphs = [MODELS / n / "model.onnx" for n in NETS.values()]
    graphs += [MODELS / "sd15-controlnet-onnxstack/controlnet/model.onnx", MODELS / "sd15-controlnet-fused/unet/model.onnx"]
    for path in graphs:
        onnx.checker.check_model(str(path))
        io = onnx_util.describe_io(onnx.load(str(path), load_external_data=False))
        print(f"{path.relative_to(MODELS)}: in {[(n, d, s) for n, d, s in io['inputs']]}")
        print(f"    out {[(n, d, s) for n, d, s in io['outputs']]}")
    write_inpaint_residual()
    check_signals()


if __name__ == "__main__":
    main()
