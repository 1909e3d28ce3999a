"""Names of Stable Diffusion weights in the single-file LDM/A1111 checkpoint layout, from the
diffusers-style parameter names of tools/sdarch.py.

What it is: our own statement of how the original latent-diffusion code (CompVis/Stability
`ldm.modules.diffusionmodules.openaimodel.UNetModel`, `ldm.modules.diffusionmodules.model`
Encoder/Decoder, the CLIP and OpenCLIP text encoders) names each tensor that diffusers calls by
another name. Written from the structure of those modules (input_blocks / middle_block /
output_blocks numbering, the VAE's reversed decoder levels, OpenCLIP's fused attention
projection), not copied from any converter.

Not a script: imported by make_templates.py and make_checkpoints.py.
"""

UNET, VAE, TEXT_SD1, TEXT_SD2 = "model.diffusion_model.", "first_stage_model.", "cond_stage_model.transformer.", "cond_stage_model.model."

_RESNET = {"norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1",
           "norm2": "out_layers.0", "conv2": "out_layers.3", "conv_shortcut": "skip_connection"}
_VAE_ATTN = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}


def _resnet(rest):
    head, leaf = rest.rsplit(".", 1)
    return f"{_RESNET[head]}.{leaf}"


def unet_key(name, config):
    """The checkpoint key of a UNet2DCondition parameter (config: sdarch.UNetConfig)."""
    p = name.split(".")
    lpb = config.layers_per_block
    n = len(config.block_out_channels)
    if p[0] == "time_embedding":
        return UNET + {"linear_1": "time_embed.0", "linear_2": "time_embed.2"}[p[1]] + "." + p[2]
    if p[0] == "conv_in":
        return UNET + "input_blocks.0.0." + p[1]
    if p[0] == "conv_norm_out":
        return UNET + "out.0." + p[1]
    if p[0] == "conv_out":
        return UNET + "out.2." + p[1]
    if p[0] == "mid_block":
        rest = ".".join(p[3:])
        if p[1] == "resnets":
            return UNET + f"middle_block.{2 * int(p[2])}." + _resnet(rest)
        return UNET + "middle_block.1." + rest
    i, kind, j, rest = int(p[1]), p[2], int(p[3]), ".".join(p[4:])
    if p[0] == "down_blocks":
        if kind == "downsamplers":
            return UNET + f"input_blocks.{(i + 1) * (lpb + 1)}.0.op." + ".".join(p[5:])
        block = 1 + i * (lpb + 1) + j
        return UNET + f"input_blocks.{block}." + ("0." + _resnet(rest) if kind == "resnets" else "1." + rest)
    if p[0] == "up_blocks":
        if kind == "upsamplers":
            has_attn = config.up_block_types[i].startswith("CrossAttn")
            return UNET + f"output_blocks.{i * (lpb + 1) + lpb}.{2 if has_attn else 1}.conv." + ".".join(p[5:])
        block = i * (lpb + 1) + j
        return UNET + f"output_blocks.{block}." + ("0." + _resnet(rest) if kind == "resnets" else "1." + rest)
    raise KeyError(name)


def _vae_resnet(rest):
    return rest.replace("conv_shortcut", "nin_shortcut")


def vae_key(name, config):
    """The checkpoint key of a sdarch.Vae parameter; `shape4` tells the caller the LDM tensor is a 1x1 conv."""
    n = len(config.block_out_channels)
    p = name.split(".")
    if p[0] in ("quant_conv", "post_quant_conv"):
        return VAE + name
    part, rest = p[0], p[1:]
    if rest[0] in ("conv_in", "conv_out"):
        return VAE + f"{part}.{rest[0]}.{rest[1]}"
    if rest[0] == "conv_norm_out":
        return VAE + f"{part}.norm_out.{rest[1]}"
    if rest[0] == "mid_block":
        if rest[1] == "resnets":
            return VAE + f"{part}.mid.block_{int(rest[2]) + 1}." + _vae_resnet(".".join(rest[3:]))
        head, leaf = ".".join(rest[3:]).rsplit(".", 1)
        return VAE + f"{part}.mid.attn_1.{_VAE_ATTN[head]}.{leaf}"
    i = int(rest[1])
    level = i if part == "encoder" else n - 1 - i
    group = "down" if part == "encoder" else "up"
    if rest[2] == "resnets":
        return VAE + f"{part}.{group}.{level}.block.{rest[3]}." + _vae_resnet(".".join(rest[4:]))
    sampler = "downsample" if part == "encoder" else "upsample"
    return VAE + f"{part}.{group}.{level}.{sampler}.conv.{rest[-1]}"


def vae_is_attention_projection(key):
    """LDM's VAE mid-block attention projections are 1x1 convs ([C, C, 1, 1]) where diffusers has linears."""
    return ".mid.attn_1." in key and key.endswith(".weight") and not key.split(".")[-2] == "norm"


def text_sd1_key(name):
    """SD 1.x: the transformers CLIPTextModel names under cond_stage_model.transformer."""
    return TEXT_SD1 + name


_CLIP_LAYER = {"layer_norm1": "ln_1", "layer_norm2": "ln_2", "mlp.fc1": "mlp.c_fc", "mlp.fc2": "mlp.c_proj",
               "self_attn.out_proj": "attn.out_proj"}


def text_sd2_key(name, hidden):
    """SD 2.x (OpenCLIP ViT-H): (key, rows) where rows slices the fused q/k/v projection, else None."""
    if name == "text_model.embeddings.token_embedding.weight":
        return TEXT_SD2 + "token_embedding.weight", None
    if name == "text_model.embeddings.position_embedding.weight":
        return TEXT_SD2 + "positional_embedding", None
    if name.startswith("text_model.final_layer_norm."):
        return TEXT_SD2 + "ln_final." + name.rsplit(".", 1)[1], None
    p = name.split(".")  # text_model.encoder.layers.I.<module...>.<leaf>
    i, module, leaf = p[3], ".".join(p[4:-1]), p[-1]
    base = TEXT_SD2 + f"transformer.resblocks.{i}."
    if module in ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"):
        k = "qkv".index(module[10])
        return base + f"attn.in_proj_{leaf}", [k * hidden, (k + 1) * hidden]
    return base + f"{_CLIP_LAYER[module]}.{leaf}", None
