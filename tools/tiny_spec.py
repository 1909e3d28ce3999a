"""The tiny Stable Diffusion models: sizes, seeds, weight initialisation and calibration.

What it is: the single definition of every tiny model's torch modules, shared by make_tiny_models.py
(which exports them to ONNX) and reference_pipeline.py (which runs them in PyTorch), so both see
bit-identical weights. Each parameter is drawn from its own generator seeded by
crc32("<component tag>/<parameter name>"), so components with the same tag and shapes (e.g. the SD1
UNet of three folders, the LCM UNet apart from its guidance projection) get identical weights, and
identical ONNX weight files that git stores once.

Init: weights ~ N(0, 1/fan_in), biases ~ N(0, 0.05²), norm gains 1 + N(0, 0.1²), token embeddings
N(0, 1), positions N(0, 0.5²); then output layers are rescaled on fixed calibration inputs so the
UNet predicts unit-variance noise, the VAE decoder gives images of std ~0.5 around 0 (mostly inside
[-1, 1]), and the VAE encoder gives posterior means of std ~5 (about 1 after x0.18215) and log-variances
near -2 (so the posterior sample visibly depends on the generator's noise).

Not a script: imported by make_tiny_models.py and reference_pipeline.py.
"""

import zlib
from dataclasses import dataclass
import torch
from torch import nn

from sdarch import ClipTextModel, TextConfig, UNet2DCondition, UNetConfig, Vae, VaeConfig

REAL_VOCAB, TINY_VOCAB = 49408, 887  # the tiny size is checked against clip_bpe.build_tiny_vocab()

TEXT_SD1_REAL = TextConfig(vocab_size=REAL_VOCAB, hidden=16, layers=2, heads=2, intermediate=64)
TEXT_SD1_TINY = TextConfig(vocab_size=TINY_VOCAB, hidden=16, layers=2, heads=2, intermediate=64)
TEXT_SD2_TINY = TextConfig(vocab_size=TINY_VOCAB, hidden=24, layers=2, heads=2, intermediate=96, act="gelu")


def _unet(cross_dim, sample_size, linear=False, cond_dim=None, in_channels=4):
    return UNetConfig(
        sample_size=sample_size,
        block_out_channels=(16, 32),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        layers_per_block=1,
        heads=(2, 2),
        cross_attention_dim=cross_dim,
        norm_num_groups=8,
        use_linear_projection=linear,
        time_cond_proj_dim=cond_dim,
        in_channels=in_channels,
    )


UNET_SD1 = _unet(16, 8)  # SD 1.5 style, default 64x64
UNET_LCM = _unet(16, 8, cond_dim=256)  # Dreamshaper-v7 LCM: SD1 plus the guidance-embedding input
UNET_SD1_INPAINT = _unet(16, 8, in_channels=9)  # SD 1.5 inpainting: [latents, mask, masked-image latents]
UNET_SD21V = _unet(24, 12, linear=True)  # SD 2.1 768-v style: linear projections, default 96x96
UNET_TURBO = _unet(24, 8, linear=True)  # SD-Turbo (SD 2.1 base): default 64x64
VAE_TINY = VaeConfig(block_out_channels=(8, 16, 16, 16), layers_per_block=1, norm_num_groups=4, sample_size=64)
VAE_TINY_96 = VaeConfig(block_out_channels=(8, 16, 16, 16), layers_per_block=1, norm_num_groups=4, sample_size=96)


@dataclass(frozen=True)
class Variant:
    """One tiny model folder: its modules (by weight tag) and tokenizer flavour."""

    name: str
    text_tag: str
    text: TextConfig
    unet_tag: str
    unet: UNetConfig
    vae: VaeConfig
    real_vocab: bool
    pad_token: str  # "<|endoftext|>" (SD1) or "!" (SD2)
    prediction_type: str = "epsilon"

    @property
    def size(self):
        return self.unet.sample_size * 8


VARIANTS = {
    v.name: v
    for v in (
        Variant("sd15-diffusers", "text-sd1-real", TEXT_SD1_REAL, "unet-sd1", UNET_SD1, VAE_TINY, True, "<|endoftext|>"),
        Variant("sd15-optimum-1.22", "text-sd1-tiny", TEXT_SD1_TINY, "unet-sd1", UNET_SD1, VAE_TINY, False, "<|endoftext|>"),
        Variant("sd21v-optimum", "text-sd2-tiny", TEXT_SD2_TINY, "unet-sd2", UNET_SD21V, VAE_TINY_96, False, "!", "v_prediction"),
        Variant("sd-turbo-optimum", "text-sd2-tiny", TEXT_SD2_TINY, "unet-sd2", UNET_TURBO, VAE_TINY, False, "!"),
        Variant("lcm-optimum", "text-sd1-tiny", TEXT_SD1_TINY, "unet-sd1", UNET_LCM, VAE_TINY, False, "<|endoftext|>"),
        Variant("sd15-inpainting-optimum", "text-sd1-tiny", TEXT_SD1_TINY, "unet-sd1-inpaint", UNET_SD1_INPAINT, VAE_TINY,
                False, "<|endoftext|>"),
        Variant("sd15-olive-fp16", "text-sd1-tiny", TEXT_SD1_TINY, "unet-sd1", UNET_SD1, VAE_TINY, False, "<|endoftext|>"),
    )
}


def init_weights(module: nn.Module, tag: str) -> None:
    """Deterministic, well-scaled random weights; each parameter seeded from its tag and name."""
    owners = dict(module.named_modules())
    with torch.no_grad():
        for name, p in module.named_parameters():
            owner_name, leaf = name.rsplit(".", 1)
            owner = owners[owner_name]
            g = torch.Generator().manual_seed(zlib.crc32(f"{tag}/{name}".encode()))
            n = torch.randn(p.shape, generator=g)
            if isinstance(owner, (nn.GroupNorm, nn.LayerNorm)):
                value = 1 + 0.1 * n if leaf == "weight" else 0.1 * n
            elif isinstance(owner, nn.Embedding):
                value = n * (1.0 if "token" in owner_name else 0.5)
            elif leaf == "weight":
                value = n / (p[0].numel() ** 0.5)
            else:
                value = 0.05 * n
            p.copy_(value)


def _calibration_rng(seed):
    return torch.Generator().manual_seed(seed)


def calibration_context(dim, n=77):
    """Two fake text-encoder outputs [2, n, dim]: per-token unit variance, like a final LayerNorm."""
    x = torch.randn((2, n, dim), generator=_calibration_rng(1))
    return (x - x.mean(-1, keepdim=True)) / x.std(-1, keepdim=True)


def guidance_embedding(w: torch.Tensor, dim: int = 256) -> torch.Tensor:
    """LCM's guidance-scale embedding (diffusers get_guidance_scale_embedding): w [B] -> [B, dim]."""
    w = w * 1000.0
    half = dim // 2
    step = torch.log(torch.tensor(10000.0)) / (half - 1)
    freqs = torch.exp(torch.arange(half, dtype=torch.float32) * -step)
    args = w.to(torch.float32)[:, None] * freqs[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


@torch.no_grad()
def _calibrate_unet(unet: UNet2DCondition):
    c = unet.config
    sample = torch.randn((2, c.in_channels, 8, 8), generator=_calibration_rng(2))  # one size: same weights at any sample_size
    cond = guidance_embedding(torch.tensor([7.0, 1.0])) if c.time_cond_proj_dim else None
    out = unet(sample, torch.tensor([999.0, 250.0]), calibration_context(c.cross_attention_dim), cond)
    unet.conv_out.weight.mul_(1.0 / out.std())
    unet.conv_out.bias.mul_(1.0 / out.std())


def test_pattern(size):
    """A colourful synthetic image in [-1, 1], NCHW [1, 3, size, size] (also used as the img2img basemap)."""
    y, x = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    r = torch.sin(6.0 * x + 2.0 * y) * 0.8
    g = torch.cos(9.0 * y - 3.0 * x * y) * 0.7
    b = ((x - 0.5) ** 2 + (y - 0.5) ** 2 < 0.09).float() * 1.6 - 0.8
    return torch.stack([r, g, b])[None]


@torch.no_grad()
def _calibrate_vae(vae: Vae):
    params = vae.encode_parameters(test_pattern(64))
    qw, qb = vae.quant_conv.weight, vae.quant_conv.bias
    mean, logvar = params[:, :4], params[:, 4:]
    for rows, part, std, centre in ((slice(0, 4), mean, 5.0, 0.0), (slice(4, 8), logvar, 0.3, -2.0)):
        scale = std / part.std()
        qw[rows] *= scale
        qb[rows] = (qb[rows] - part.mean()) * scale + centre
    latents = torch.randn((1, 4, 8, 8), generator=_calibration_rng(3)) * 5.0
    img = vae.decode(latents)
    vae.decoder.conv_out.weight.mul_(0.5 / img.std())
    vae.decoder.conv_out.bias.sub_(img.mean()).mul_(0.5 / img.std())


_CACHE = {}


def text_encoder(v: Variant) -> ClipTextModel:
    key = ("text", v.text_tag, v.text)
    if key not in _CACHE:
        m = ClipTextModel(v.text).eval()
        init_weights(m, v.text_tag)
        _CACHE[key] = m
    return _CACHE[key]


def unet(v: Variant) -> UNet2DCondition:
    key = ("unet", v.unet_tag, v.unet)
    if key not in _CACHE:
        m = UNet2DCondition(v.unet).eval()
        init_weights(m, v.unet_tag)
        _calibrate_unet(m)
        _CACHE[key] = m
    return _CACHE[key]


def vae(v: Variant) -> Vae:
    key = ("vae", v.vae.block_out_channels)
    if key not in _CACHE:
        m = Vae(v.vae).eval()
        init_weights(m, "vae")
        _calibrate_vae(m)
        _CACHE[key] = m
    return _CACHE[key]


