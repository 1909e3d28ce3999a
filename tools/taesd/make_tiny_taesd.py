"""Builds a tiny TAESD (Tiny AutoEncoder for Stable Diffusion) in a real ONNX export layout, with
reference decodes, for the Java tests.

Architecture: madebyollin/taesd (MIT), written here from its description, not copied: both halves are
3x3 convolutions with ReLU and residual "Block"s (conv-ReLU-conv-ReLU-conv plus a 1x1 skip when the
width changes, then ReLU). The decoder starts with Clamp (tanh(x / 3) * 3), has three nearest-neighbour
x2 upsamples (each followed by a bias-free conv), and ends in a conv to 3 channels. The encoder mirrors
it with three stride-2 bias-free convs. Images are in [0, 1]; latents are at scale 1, i.e. the decoder
takes the diffusion latents the UNet works on directly (not divided by the VAE's 0.18215).
The real model has 64 channels per layer (1.2 M parameters per half); this one has WIDTH channels and
the same 4 latent channels, with PyTorch's default random initialisation (seeded).

Layout: deinferno/taesd-onnx on Hugging Face (also julienkay/taesd) ships TAESD as vae_decoder/model.onnx
and vae_encoder/model.onnx, a drop-in for Optimum's ORTStableDiffusionPipeline sessions, so the I/O
names here are Optimum's VAE names: decoder latent_sample -> sample, encoder sample -> latent_sample
(batch, height and width dynamic, opset 14).

Two scaling conventions exist for such exports, and both are written:
  taesd-tiny/            madebyollin's taesd.py modules exported as they are: images in [0, 1].
  taesd-tiny-diffusers/  the same weights as diffusers' AutoencoderTiny wraps them, which is what an
                         export through diffusers/Optimum (AutoencoderTiny.decode / .encode, as the
                         drop-in sessions for Optimum's pipeline must be) contains: DecoderTiny ends in
                         x.mul(2).sub(1) (images in [-1, 1], the SD VAE's range) and EncoderTiny starts
                         with x.add(1).div(2). Latents are at scale 1 in both (AutoencoderTiny's
                         scaling_factor is 1.0).

Writes, under core/src/test/resources/models/taesd-tiny/ (and the two graphs again, wrapped, under
taesd-tiny-diffusers/):
  vae_decoder/model.onnx, vae_encoder/model.onnx   the tiny TAESD halves
  reference.json   fixed latents [1,4,3,5] (seeded normal * 1.5), the torch decoder's image [1,3,24,40],
                   a fixed image [1,3,16,24] in [0, 1] and the torch encoder's latents [1,4,2,3]

How to run (seconds; deterministic):
    /usr/bin/python3 tools/taesd/make_tiny_taesd.py
Needs Debian's python3-torch (1.13) and python3-onnx (1.12).
"""

import json
from pathlib import Path

import onnx
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "core" / "src" / "test" / "resources" / "models" / "taesd-tiny"
WIDTH = 8
LATENT_CHANNELS = 4
OPSET = 14


def conv3(n_in, n_out, bias=True, stride=1):
    return nn.Conv2d(n_in, n_out, 3, stride=stride, padding=1, bias=bias)


class Clamp(nn.Module):
    """Soft clamp of the latents to about [-3, 3]."""

    def forward(self, x):
        return torch.tanh(x / 3) * 3


class Block(nn.Module):
    """Residual unit: relu(convs(x) + skip(x))."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.conv = nn.Sequential(conv3(n_in, n_out), nn.ReLU(), conv3(n_out, n_out), nn.ReLU(), conv3(n_out, n_out))
        self.skip = nn.Conv2d(n_in, n_out, 1, bias=False) if n_in != n_out else nn.Identity()
        self.fuse = nn.ReLU()

    def forward(self, x):
        return self.fuse(self.conv(x) + self.skip(x))


def decoder(width=WIDTH, latent=LATENT_CHANNELS):
    layers = [Clamp(), conv3(latent, width), nn.ReLU()]
    for _ in range(3):
        layers += [Block(width, width) for _ in range(3)]
        layers += [nn.Upsample(scale_factor=2, mode="nearest"), conv3(width, width, bias=False)]
    layers += [Block(width, width), conv3(width, 3)]
    return nn.Sequential(*layers)


def encoder(width=WIDTH, latent=LATENT_CHANNELS):
    layers = [conv3(3, width), Block(width, width)]
    for _ in range(3):
        layers += [conv3(width, width, bias=False, stride=2)]
        layers += [Block(width, width) for _ in range(3)]
    layers += [conv3(width, latent)]
    return nn.Sequential(*layers)


class DiffusersDecoder(nn.Module):
    """diffusers' DecoderTiny output convention: taesd.py's [0, 1] image mapped to [-1, 1]."""

    def __init__(self, dec):
        super().__init__()
        self.dec = dec

    def forward(self, x):
        return self.dec(x).mul(2).sub(1)


class DiffusersEncoder(nn.Module):
    """diffusers' EncoderTiny input convention: an image in [-1, 1] mapped to [0, 1] first."""

    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, x):
        return self.enc(x.add(1).div(2))


def export(module, example, in_name, out_name, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    axes = {0: "batch", 2: "height", 3: "width"}
    with torch.no_grad():
        torch.onnx.export(
            module,
            (example,),
            str(path),
            input_names=[in_name],
            output_names=[out_name],
            dynamic_axes={in_name: axes, out_name: axes},
            opset_version=OPSET,
            do_constant_folding=True,
        )
    onnx.checker.check_model(onnx.load(str(path)))


def flat(t):
    return [round(float(v), 7) for v in t.detach().reshape(-1)]


def main():
    torch.manual_seed(12)
    dec = decoder().eval()
    enc = encoder().eval()
    # PyTorch's default init leaves a deep ReLU stack's output nearly constant; widen the last conv so
    # the decoded image varies across pixels (a test on a flat image would prove little).
    with torch.no_grad():
        dec[-1].weight.mul_(4.0)
        dec[-1].bias.fill_(0.5)

    gen = torch.Generator().manual_seed(7)
    latents = torch.randn(1, LATENT_CHANNELS, 3, 5, generator=gen) * 1.5
    image = torch.rand(1, 3, 16, 24, generator=gen)
    with torch.no_grad():
        decoded = dec(latents)
        encoded = enc(image)

    export(dec, latents, "latent_sample", "sample", OUT / "vae_decoder" / "model.onnx")
    export(enc, image, "sample", "latent_sample", OUT / "vae_encoder" / "model.onnx")
    ref = {
        "source": "tools/taesd/make_tiny_taesd.py (torch forward of the modules that were exported)",
        "latents_shape": list(latents.shape),
        "latents": flat(latents),
        "decoded_shape": list(decoded.shape),
        "decoded": flat(decoded),
        "image_shape": list(image.shape),
        "image": flat(image),
        "encoded_shape": list(encoded.shape),
        "encoded": flat(encoded),
    }
    (OUT / "reference.json").write_text(json.dumps(ref) + "\n")
    wrapped = OUT.parent / "taesd-tiny-diffusers"
    export(DiffusersDecoder(dec).eval(), latents, "latent_sample", "sample", wrapped / "vae_decoder" / "model.onnx")
    export(DiffusersEncoder(enc).eval(), image * 2 - 1, "sample", "latent_sample", wrapped / "vae_encoder" / "model.onnx")
    print(
        f"decoded {tuple(decoded.shape)} min {decoded.min():.3f} max {decoded.max():.3f} std {decoded.std():.3f}; "
        f"encoded {tuple(encoded.shape)} std {encoded.std():.3f}; "
        f"params decoder {sum(p.numel() for p in dec.parameters())} encoder {sum(p.numel() for p in enc.parameters())}"
    )


if __name__ == "__main__":
    main()
