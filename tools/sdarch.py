"""Plain-PyTorch Stable Diffusion architecture: CLIP text encoder, UNet2DCondition, AutoencoderKL.

What it is: our own implementation of the SD 1.x / 2.x module structure (same module tree,
parameter names and shapes as diffusers' UNet2DConditionModel / AutoencoderKL and transformers'
CLIPTextModel, so parameter counts and ONNX graphs match the real exports), parameterised by small
config records so the same code builds the tiny test models and the full-size benchmark model.

How to use: imported by make_tiny_models.py, reference_pipeline.py and bench_model.py; running it
directly prints parameter counts of the `sd15` configs (expected: UNet 859,520,964; VAE 83,653,863,
of which decoder 49,490,179 and encoder 34,163,592 (+20 post_quant_conv, +72 quant_conv);
CLIP ViT-L/14 text 123,060,480):
    /usr/bin/python3 tools/sdarch.py
Needs Debian's torch (tested with 1.13). No outputs are written.
"""

import math
from dataclasses import dataclass
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn


# ---------------------------------------------------------------------------------- configs


@dataclass(frozen=True)
class TextConfig:
    """A CLIP text transformer: vocabulary, width, depth, heads, MLP width, activation."""

    vocab_size: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int = 77
    act: str = "quick_gelu"  # SD1 (OpenAI CLIP ViT-L/14); SD2 (OpenCLIP ViT-H) uses "gelu"

    def __post_init__(self):
        if self.hidden % self.heads:
            raise ValueError(f"hidden {self.hidden} is not a multiple of heads {self.heads}")
        if self.act not in ("quick_gelu", "gelu"):
            raise ValueError(f"act must be quick_gelu or gelu, found {self.act}")


@dataclass(frozen=True)
class UNetConfig:
    """UNet2DConditionModel settings; `heads` is per level, like diffusers' attention_head_dim."""

    sample_size: int
    block_out_channels: Tuple[int, ...]
    down_block_types: Tuple[str, ...]
    up_block_types: Tuple[str, ...]
    layers_per_block: int
    heads: Tuple[int, ...]
    cross_attention_dim: int
    norm_num_groups: int
    use_linear_projection: bool = False
    time_cond_proj_dim: Optional[int] = None
    in_channels: int = 4
    out_channels: int = 4

    def __post_init__(self):
        n = len(self.block_out_channels)
        if not (len(self.down_block_types) == len(self.up_block_types) == len(self.heads) == n):
            raise ValueError("block_out_channels, block types and heads must have one entry per level")


@dataclass(frozen=True)
class VaeConfig:
    """AutoencoderKL settings (SD: 4 levels, downsample factor 8, 4 latent channels)."""

    block_out_channels: Tuple[int, ...]
    layers_per_block: int
    norm_num_groups: int
    latent_channels: int = 4
    in_channels: int = 3
    out_channels: int = 3
    sample_size: int = 512
    scaling_factor: float = 0.18215


SD15_TEXT = TextConfig(vocab_size=49408, hidden=768, layers=12, heads=12, intermediate=3072)
SD15_UNET = UNetConfig(
    sample_size=64,
    block_out_channels=(320, 640, 1280, 1280),
    down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
    up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
    layers_per_block=2,
    heads=(8, 8, 8, 8),
    cross_attention_dim=768,
    norm_num_groups=32,
)
SD15_VAE = VaeConfig(block_out_channels=(128, 256, 512, 512), layers_per_block=2, norm_num_groups=32)


# ------------------------------------------------------------------------------ text encoder


def _activation(name):
    if name == "quick_gelu":
        return lambda x: x * torch.sigmoid(1.702 * x)
    return F.gelu


class ClipEmbeddings(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.token_embedding = nn.Embedding(c.vocab_size, c.hidden)
        self.position_embedding = nn.Embedding(c.max_positions, c.hidden)
        self.register_buffer("position_ids", torch.arange(c.max_positions)[None], persistent=False)

    def forward(self, ids):
        positions = self.position_ids[:, : ids.shape[-1]]
        return self.token_embedding(ids) + self.position_embedding(positions)


class ClipAttention(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.heads, self.head_dim = c.heads, c.hidden // c.heads
        self.q_proj = nn.Linear(c.hidden, c.hidden)
        self.k_proj = nn.Linear(c.hidden, c.hidden)
        self.v_proj = nn.Linear(c.hidden, c.hidden)
        self.out_proj = nn.Linear(c.hidden, c.hidden)

    def forward(self, x, mask):
        b, n, d = x.shape

        def split(t):
            return t.reshape(b, -1, self.heads, self.head_dim).transpose(1, 2)

        q = split(self.q_proj(x) * self.head_dim**-0.5)
        scores = q @ split(self.k_proj(x)).transpose(-1, -2) + mask
        out = scores.softmax(dim=-1) @ split(self.v_proj(x))
        return self.out_proj(out.transpose(1, 2).reshape(b, n, d))


class ClipMlp(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.act = _activation(c.act)
        self.fc1 = nn.Linear(c.hidden, c.intermediate)
        self.fc2 = nn.Linear(c.intermediate, c.hidden)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ClipLayer(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.self_attn = ClipAttention(c)
        self.layer_norm1 = nn.LayerNorm(c.hidden)
        self.mlp = ClipMlp(c)
        self.layer_norm2 = nn.LayerNorm(c.hidden)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class ClipEncoder(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.layers = nn.ModuleList(ClipLayer(c) for _ in range(c.layers))


class ClipTransformer(nn.Module):
    def __init__(self, c: TextConfig):
        super().__init__()
        self.embeddings = ClipEmbeddings(c)
        self.encoder = ClipEncoder(c)
        self.final_layer_norm = nn.LayerNorm(c.hidden)


class ClipTextModel(nn.Module):
    """CLIP text transformer with a causal mask: ids [B, L] -> (last_hidden_state [B, L, D], pooler_output [B, D]).

    The pooled output is the final hidden state at the argmax of the ids (the EOS token, which has the
    largest id in CLIP vocabularies), as transformers computed it when the SD exports were made.
    """

    def __init__(self, config: TextConfig):
        super().__init__()
        self.config = config
        self.text_model = ClipTransformer(config)

    def forward(self, input_ids):
        tm = self.text_model
        x = tm.embeddings(input_ids)
        n = input_ids.shape[-1]
        mask = torch.full((n, n), torch.finfo(x.dtype).min, dtype=x.dtype).triu(1)
        for layer in tm.encoder.layers:
            x = layer(x, mask)
        x = tm.final_layer_norm(x)
        eos = input_ids.to(dtype=torch.int).argmax(dim=-1)
        pooled = x[torch.arange(x.shape[0]), eos]
        return x, pooled


# ------------------------------------------------------------------------------ shared blocks


def _groupnorm(groups, channels, eps):
    return nn.GroupNorm(groups, channels, eps=eps, affine=True)


class ResnetBlock2D(nn.Module):
    """GroupNorm-SiLU-conv twice, with an optional time-embedding projection and a 1x1 skip conv."""

    def __init__(self, cin, cout, groups, eps, temb_channels=None):
        super().__init__()
        self.norm1 = _groupnorm(groups, cin, eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_channels, cout) if temb_channels else None
        self.norm2 = _groupnorm(groups, cout, eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        if self.conv_shortcut is not None:
            x = self.conv_shortcut(x)
        return x + h


class Downsample2D(nn.Module):
    """Stride-2 3x3 conv; the VAE pads (0, 1, 0, 1) itself and uses no conv padding."""

    def __init__(self, channels, vae_style=False):
        super().__init__()
        self.vae_style = vae_style
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=0 if vae_style else 1)

    def forward(self, x):
        if self.vae_style:
            x = F.pad(x, (0, 1, 0, 1))
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Attention(nn.Module):
    """Multi-head attention with separate q/k/v projections (diffusers naming: to_q, to_k, to_v, to_out)."""

    def __init__(self, query_dim, heads, head_dim, context_dim=None, bias=False):
        super().__init__()
        inner = heads * head_dim
        self.heads, self.head_dim = heads, head_dim
        self.to_q = nn.Linear(query_dim, inner, bias=bias)
        self.to_k = nn.Linear(context_dim or query_dim, inner, bias=bias)
        self.to_v = nn.Linear(context_dim or query_dim, inner, bias=bias)
        self.to_out = nn.ModuleList([nn.Linear(inner, query_dim), nn.Dropout(0.0)])

    def forward(self, x, context=None):
        context = x if context is None else context
        b, n, _ = x.shape

        def split(t):
            return t.reshape(b, -1, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.to_q(x)), split(self.to_k(context)), split(self.to_v(context))
        scores = (q @ k.transpose(-1, -2)) * self.head_dim**-0.5
        out = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, self.heads * self.head_dim)
        return self.to_out[0](out)


class VaeAttention(Attention):
    """The VAE mid-block self-attention: one head over all channels, GroupNorm first, residual added."""

    def __init__(self, channels, groups):
        super().__init__(channels, 1, channels, bias=True)
        self.group_norm = _groupnorm(groups, channels, 1e-6)

    def forward(self, x, context=None):
        b, c, h, w = x.shape
        t = self.group_norm(x).reshape(b, c, h * w).transpose(1, 2)
        return x + super().forward(t).transpose(1, 2).reshape(b, c, h, w)


# ---------------------------------------------------------------------------------------- UNet


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        h, gate = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * 4), nn.Dropout(0.0), nn.Linear(dim * 4, dim)])

    def forward(self, x):
        return self.net[2](self.net[0](x))


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, context_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, heads, dim // heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, heads, dim // heads, context_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), context)
        return x + self.ff(self.norm3(x))


class Transformer2DModel(nn.Module):
    """GroupNorm, proj_in (1x1 conv, or linear for SD2), one transformer block, proj_out, residual."""

    def __init__(self, channels, heads, context_dim, groups, linear):
        super().__init__()
        self.linear = linear
        self.norm = _groupnorm(groups, channels, 1e-6)
        proj = (lambda: nn.Linear(channels, channels)) if linear else (lambda: nn.Conv2d(channels, channels, 1))
        self.proj_in = proj()
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(channels, heads, context_dim)])
        self.proj_out = proj()

    def forward(self, x, context):
        b, c, h, w = x.shape
        t = self.norm(x)
        if not self.linear:
            t = self.proj_in(t)
        t = t.permute(0, 2, 3, 1).reshape(b, h * w, c)
        if self.linear:
            t = self.proj_in(t)
        for block in self.transformer_blocks:
            t = block(t, context)
        if self.linear:
            t = self.proj_out(t)
        t = t.reshape(b, h, w, c).permute(0, 3, 1, 2)
        if not self.linear:
            t = self.proj_out(t)
        return t + x


class UNetBlock(nn.Module):
    """A down or up block: resnets, optional cross-attention transformers, optional resampler."""

    def __init__(self, c: UNetConfig, kind, cins, cout, heads, temb, resample):
        super().__init__()
        groups = c.norm_num_groups
        self.resnets = nn.ModuleList(ResnetBlock2D(ci, cout, groups, 1e-5, temb) for ci in cins)
        if kind.startswith("CrossAttn"):
            self.attentions = nn.ModuleList(
                Transformer2DModel(cout, heads, c.cross_attention_dim, groups, c.use_linear_projection)
                for _ in cins
            )
        else:
            self.attentions = None
        if resample == "down":
            self.downsamplers = nn.ModuleList([Downsample2D(cout)])
        elif resample == "up":
            self.upsamplers = nn.ModuleList([Upsample2D(cout)])

    def _layer(self, i, x, temb, context):
        x = self.resnets[i](x, temb)
        return self.attentions[i](x, context) if self.attentions is not None else x

    def down(self, x, temb, context):
        skips = []
        for i in range(len(self.resnets)):
            x = self._layer(i, x, temb, context)
            skips.append(x)
        if hasattr(self, "downsamplers"):
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips

    def up(self, x, skips, temb, context):
        for i in range(len(self.resnets)):
            x = self._layer(i, torch.cat([x, skips.pop()], dim=1), temb, context)
        if hasattr(self, "upsamplers"):
            x = self.upsamplers[0](x)
        return x


class MidBlock(nn.Module):
    """resnet, attention, resnet: UNetMidBlock2DCrossAttn (UNet) or UNetMidBlock2D (VAE)."""

    def __init__(self, channels, groups, eps, temb, attention):
        super().__init__()
        self.attentions = nn.ModuleList([attention])
        self.resnets = nn.ModuleList(ResnetBlock2D(channels, channels, groups, eps, temb) for _ in range(2))

    def forward(self, x, temb=None, context=None):
        x = self.resnets[0](x, temb)
        x = self.attentions[0](x, context)
        return self.resnets[1](x, temb)


class TimestepEmbedding(nn.Module):
    def __init__(self, cin, dim, cond_dim=None):
        super().__init__()
        self.cond_proj = nn.Linear(cond_dim, cin, bias=False) if cond_dim else None
        self.linear_1 = nn.Linear(cin, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x, cond=None):
        if cond is not None:
            x = x + self.cond_proj(cond)
        return self.linear_2(F.silu(self.linear_1(x)))


def timestep_features(timesteps, dim):
    """Sinusoidal features of the timesteps, cos first (flip_sin_to_cos=True, freq_shift=0), float32."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(0, half, dtype=torch.float32) / half)
    args = timesteps[:, None].float() * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class UNet2DCondition(nn.Module):
    """The SD 1.x/2.x noise predictor: (sample [B,4,h,w], timestep, context [B,L,D][, timestep_cond]) -> [B,4,h,w].

    The timestep may be rank 0, [1] or [B]; it is broadcast over the batch inside the graph, as
    diffusers does, and any dtype is converted to float for the sinusoidal features.
    """

    def __init__(self, c: UNetConfig):
        super().__init__()
        self.config = c
        ch = c.block_out_channels
        temb = ch[0] * 4
        self.conv_in = nn.Conv2d(c.in_channels, ch[0], 3, padding=1)
        self.time_embedding = TimestepEmbedding(ch[0], temb, c.time_cond_proj_dim)
        self.down_blocks = nn.ModuleList()
        cout = ch[0]
        for i, kind in enumerate(c.down_block_types):
            cin, cout = cout, ch[i]
            cins = [cin] + [cout] * (c.layers_per_block - 1)
            resample = "down" if i < len(ch) - 1 else None
            self.down_blocks.append(UNetBlock(c, kind, cins, cout, c.heads[i], temb, resample))
        mid_attn = Transformer2DModel(
            ch[-1], c.heads[-1], c.cross_attention_dim, c.norm_num_groups, c.use_linear_projection
        )
        self.mid_block = MidBlock(ch[-1], c.norm_num_groups, 1e-5, temb, mid_attn)
        self.up_blocks = nn.ModuleList()
        rev, rev_heads = list(reversed(ch)), list(reversed(c.heads))
        cout = rev[0]
        n = c.layers_per_block + 1
        for i, kind in enumerate(c.up_block_types):
            prev, cout = cout, rev[i]
            skip_last = rev[min(i + 1, len(ch) - 1)]
            cins = [(prev if j == 0 else cout) + (skip_last if j == n - 1 else cout) for j in range(n)]
            resample = "up" if i < len(ch) - 1 else None
            self.up_blocks.append(UNetBlock(c, kind, cins, cout, rev_heads[i], temb, resample))
        self.conv_norm_out = _groupnorm(c.norm_num_groups, ch[0], 1e-5)
        self.conv_out = nn.Conv2d(ch[0], c.out_channels, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states, timestep_cond=None):
        t = timestep[None] if timestep.dim() == 0 else timestep
        t = t.expand(sample.shape[0])
        features = timestep_features(t, self.config.block_out_channels[0]).to(sample.dtype)
        temb = self.time_embedding(features, timestep_cond)
        x = self.conv_in(sample)
        skips = [x]
        for block in self.down_blocks:
            x, s = block.down(x, temb, encoder_hidden_states)
            skips.extend(s)
        x = self.mid_block(x, temb, encoder_hidden_states)
        for block in self.up_blocks:
            taken = skips[-len(block.resnets):]
            del skips[-len(block.resnets):]
            x = block.up(x, taken, temb, encoder_hidden_states)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


# ----------------------------------------------------------------------------------------- VAE


class VaeEncoder(nn.Module):
    def __init__(self, c: VaeConfig):
        super().__init__()
        ch, g = c.block_out_channels, c.norm_num_groups
        self.conv_in = nn.Conv2d(c.in_channels, ch[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        cout = ch[0]
        for i in range(len(ch)):
            cin, cout = cout, ch[i]
            block = nn.Module()
            block.resnets = nn.ModuleList(
                ResnetBlock2D(cin if j == 0 else cout, cout, g, 1e-6) for j in range(c.layers_per_block)
            )
            if i < len(ch) - 1:
                block.downsamplers = nn.ModuleList([Downsample2D(cout, vae_style=True)])
            self.down_blocks.append(block)
        self.mid_block = MidBlock(ch[-1], g, 1e-6, None, VaeAttention(ch[-1], g))
        self.conv_norm_out = _groupnorm(g, ch[-1], 1e-6)
        self.conv_out = nn.Conv2d(ch[-1], 2 * c.latent_channels, 3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for block in self.down_blocks:
            for r in block.resnets:
                x = r(x)
            if hasattr(block, "downsamplers"):
                x = block.downsamplers[0](x)
        x = self.mid_block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class VaeDecoder(nn.Module):
    def __init__(self, c: VaeConfig):
        super().__init__()
        ch, g = c.block_out_channels, c.norm_num_groups
        rev = list(reversed(ch))
        self.conv_in = nn.Conv2d(c.latent_channels, rev[0], 3, padding=1)
        self.mid_block = MidBlock(rev[0], g, 1e-6, None, VaeAttention(rev[0], g))
        self.up_blocks = nn.ModuleList()
        cout = rev[0]
        for i in range(len(ch)):
            cin, cout = cout, rev[i]
            block = nn.Module()
            block.resnets = nn.ModuleList(
                ResnetBlock2D(cin if j == 0 else cout, cout, g, 1e-6) for j in range(c.layers_per_block + 1)
            )
            if i < len(ch) - 1:
                block.upsamplers = nn.ModuleList([Upsample2D(cout)])
            self.up_blocks.append(block)
        self.conv_norm_out = _groupnorm(g, ch[0], 1e-6)
        self.conv_out = nn.Conv2d(ch[0], c.out_channels, 3, padding=1)

    def forward(self, z):
        x = self.mid_block(self.conv_in(z))
        for block in self.up_blocks:
            for r in block.resnets:
                x = r(x)
            if hasattr(block, "upsamplers"):
                x = block.upsamplers[0](x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class Vae(nn.Module):
    """AutoencoderKL: encode(image) -> posterior parameters (mean ‖ logvar); decode(latents) -> image."""

    def __init__(self, config: VaeConfig):
        super().__init__()
        self.config = config
        self.encoder = VaeEncoder(config)
        self.decoder = VaeDecoder(config)
        self.quant_conv = nn.Conv2d(2 * config.latent_channels, 2 * config.latent_channels, 1)
        self.post_quant_conv = nn.Conv2d(config.latent_channels, config.latent_channels, 1)

    def encode_parameters(self, image):
        return self.quant_conv(self.encoder(image))

    def decode(self, latents):
        return self.decoder(self.post_quant_conv(latents))


def posterior_mean_std(parameters):
    """Splits posterior parameters into mean and std with diffusers' logvar clamp to [-30, 20]."""
    mean, logvar = torch.chunk(parameters, 2, dim=1)
    logvar = torch.clamp(logvar, -30.0, 20.0)
    return mean, torch.exp(0.5 * logvar)


def count(module):
    return sum(p.numel() for p in module.parameters())


if __name__ == "__main__":
    unet, vae, text = UNet2DCondition(SD15_UNET), Vae(SD15_VAE), ClipTextModel(SD15_TEXT)
    print(f"sd15 UNet {count(unet):,}  (real SD 1.5: 859,520,964)")
    print(f"sd15 VAE {count(vae):,}  (real: 83,653,863)")
    print(f"  decoder {count(vae.decoder):,}  (real: 49,490,179)  encoder {count(vae.encoder):,}  (real: 34,163,592)")
    print(f"CLIP ViT-L/14 text {count(text):,}  (real: 123,060,480)")
