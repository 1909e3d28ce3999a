"""Plain-PyTorch ControlNet for the tiny models: diffusers' ControlNetModel with the same parameter names.

What it is: the ControlNet half of Stable Diffusion's UNet (conv_in, time embedding, down blocks, mid
block: the UNet's own modules from sdarch.py), plus the conditioning embedding (a small strided conv
stack that takes the control image in [0, 1] to latent size) and the zero convolutions (1x1 convs per
residual), and a UNet that adds the residuals as diffusers' UNet2DConditionModel does with
down_block_additional_residuals / mid_block_additional_residual. Written from the structure of
diffusers' models/controlnet.py and unet_2d_condition.py (commit 58eb52c); no code copied.

Also the two ONNX export wrappers:
  - ResidualUnet: the residuals as separate graph inputs down_block_{i}_additional_residual and
    mid_block_additional_residual (OnnxStack's converter ControlNetUNet2DConditionModel, onnx-web);
  - FusedUnet: N ControlNets inside the UNet graph, inputs controlnet_conds [N, 2B, 3, 8H, 8W] and
    conditioning_scales [N, 1], output noise_pred (diffusers
    examples/community/onnxruntime convert_stable_diffusion_controlnet_to_onnx.py).

Not a script: imported by make_tiny_controlnet.py and reference_controlnet.py.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from sdarch import MidBlock, TimestepEmbedding, Transformer2DModel, UNet2DCondition, UNetBlock, UNetConfig, timestep_features


@dataclass(frozen=True)
class ControlConfig:
    unet: UNetConfig
    embedding_channels: tuple = (8, 8, 16, 16)  # diffusers' conditioning_embedding_out_channels (16, 32, 96, 256)
    conditioning_channels: int = 3


class ConditioningEmbedding(nn.Module):
    """ControlNetConditioningEmbedding: conv_in, pairs of (3x3, 3x3 stride 2) convs, conv_out; SiLU between."""

    def __init__(self, out_channels, channels, cin):
        super().__init__()
        self.conv_in = nn.Conv2d(cin, channels[0], 3, padding=1)
        self.blocks = nn.ModuleList()
        for i in range(len(channels) - 1):
            self.blocks.append(nn.Conv2d(channels[i], channels[i], 3, padding=1))
            self.blocks.append(nn.Conv2d(channels[i], channels[i + 1], 3, padding=1, stride=2))
        self.conv_out = nn.Conv2d(channels[-1], out_channels, 3, padding=1)

    def forward(self, x):
        x = F.silu(self.conv_in(x))
        for block in self.blocks:
            x = F.silu(block(x))
        return self.conv_out(x)


class ControlNet(nn.Module):
    """(sample, timestep, context, control image [B,3,8h,8w] in [0,1], scale) -> (down residuals, mid residual)."""

    def __init__(self, c: ControlConfig):
        super().__init__()
        u = c.unet
        self.config = c
        ch = u.block_out_channels
        temb = ch[0] * 4
        self.conv_in = nn.Conv2d(u.in_channels, ch[0], 3, padding=1)
        self.time_embedding = TimestepEmbedding(ch[0], temb, None)
        self.controlnet_cond_embedding = ConditioningEmbedding(ch[0], c.embedding_channels, c.conditioning_channels)
        self.down_blocks = nn.ModuleList()
        self.controlnet_down_blocks = nn.ModuleList([nn.Conv2d(ch[0], ch[0], 1)])
        cout = ch[0]
        for i, kind in enumerate(u.down_block_types):
            cin, cout = cout, ch[i]
            cins = [cin] + [cout] * (u.layers_per_block - 1)
            resample = "down" if i < len(ch) - 1 else None
            self.down_blocks.append(UNetBlock(u, kind, cins, cout, u.heads[i], temb, resample))
            for _ in range(u.layers_per_block + (1 if resample else 0)):
                self.controlnet_down_blocks.append(nn.Conv2d(cout, cout, 1))
        mid_attn = Transformer2DModel(ch[-1], u.heads[-1], u.cross_attention_dim, u.norm_num_groups, u.use_linear_projection)
        self.mid_block = MidBlock(ch[-1], u.norm_num_groups, 1e-5, temb, mid_attn)
        self.controlnet_mid_block = nn.Conv2d(ch[-1], ch[-1], 1)

    def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale, guess_mode=False):
        t = timestep[None] if timestep.dim() == 0 else timestep
        t = t.expand(sample.shape[0])
        temb = self.time_embedding(timestep_features(t, self.config.unet.block_out_channels[0]).to(sample.dtype))
        x = self.conv_in(sample) + self.controlnet_cond_embedding(controlnet_cond)
        res = [x]
        for block in self.down_blocks:
            x, s = block.down(x, temb, encoder_hidden_states)
            res.extend(s)
        x = self.mid_block(x, temb, encoder_hidden_states)
        down = [conv(r) for conv, r in zip(self.controlnet_down_blocks, res)]
        mid = self.controlnet_mid_block(x)
        if guess_mode:
            # diffusers: scales logspace(-1, 0, n + 1) (0.1 ... 1.0) times the conditioning scale
            scales = torch.logspace(-1, 0, len(down) + 1) * conditioning_scale
            return [d * s for d, s in zip(down, scales)], mid * scales[-1]
        return [d * conditioning_scale for d in down], mid * conditioning_scale


def unet_with_residuals(unet: UNet2DCondition, sample, timestep, context, down, mid):
    """UNet2DConditionModel.forward with down_block_additional_residuals and mid_block_additional_residual."""
    t = timestep[None] if timestep.dim() == 0 else timestep
    t = t.expand(sample.shape[0])
    temb = unet.time_embedding(timestep_features(t, unet.config.block_out_channels[0]).to(sample.dtype), None)
    x = unet.conv_in(sample)
    skips = [x]
    for block in unet.down_blocks:
        x, s = block.down(x, temb, context)
        skips.extend(s)
    assert len(skips) == len(down), f"{len(down)} residuals for {len(skips)} skips"
    skips = [s + d for s, d in zip(skips, down)]
    x = unet.mid_block(x, temb, context) + mid
    for block in unet.up_blocks:
        taken = skips[-len(block.resnets):]
        del skips[-len(block.resnets):]
        x = block.up(x, taken, temb, context)
    return unet.conv_out(F.silu(unet.conv_norm_out(x)))


class ControlNetGraph(nn.Module):
    """The separate ControlNet export: one output per residual (OnnxStack's PatchedControlNetModel names)."""

    def __init__(self, net: ControlNet):
        super().__init__()
        self.net = net

    def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale):
        down, mid = self.net(sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale.to(sample.dtype))
        return (*down, mid)


def residual_names(n):
    return [f"down_block_{i}_additional_residual" for i in range(n)] + ["mid_block_additional_residual"]


class ResidualUnet(nn.Module):
    def __init__(self, unet: UNet2DCondition):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states, *residuals):
        return unet_with_residuals(self.unet, sample, timestep, encoder_hidden_states, list(residuals[:-1]), residuals[-1])


class FusedUnet(nn.Module):
    """UNet2DConditionControlNetModel of diffusers' ONNX conversion script: ControlNets summed, then the UNet."""

    def __init__(self, unet: UNet2DCondition, nets):
        super().__init__()
        self.unet = unet
        self.controlnets = nn.ModuleList(nets)

    def forward(self, sample, timestep, encoder_hidden_states, controlnet_conds, conditioning_scales):
        down, mid = None, None
        for i, net in enumerate(self.controlnets):
            d, m = net(sample, timestep, encoder_hidden_states, controlnet_conds[i], conditioning_scales[i])
            if down is None:
                down, mid = d, m
            else:
                down, mid = [a + b for a, b in zip(down, d)], mid + m
        return unet_with_residuals(self.unet, sample, timestep, encoder_hidden_states, down, mid)
