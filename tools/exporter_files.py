"""The JSON files each exporter writes beside the ONNX graphs, with the real SD models' values.

What it is: model_index.json, scheduler/scheduler_config.json, tokenizer/*.json and the per-stage
config.json files as the diffusers convert script (2022), Optimum (<= 1.22 and >= 1.24) and Olive
leave them, filled with the values of the models they were exported from (SD 1.5, SD 2.1 768-v,
SD-Turbo, LCM Dreamshaper v7) and with the tiny sizes where a config describes a tiny module.

Sources: key sets and class names follow the exporters' code (diffusers
scripts/convert_stable_diffusion_checkpoint_to_onnx.py and ConfigMixin.save_config; optimum
exporters/onnx/convert.py, which saves each sub-model's config and the pipeline's own
model_index.json; Olive examples/stable_diffusion, which saves an OnnxStableDiffusionPipeline).
The scheduler values are those of the models' published scheduler_config.json files (SD 1.5's 2022
PNDM file; SD 2.1's DDIM file; sd-turbo's Euler file; LCM_Dreamshaper_v7's LCM file), written
from our knowledge of those files; files re-saved by a later diffusers (every Optimum export) carry
that version's full key set.

Not a script: imported by make_tiny_models.py and bench_model.py.
"""

import json
from pathlib import Path

BETAS = {"beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000}

# runwayml/stable-diffusion-v1-5 as of the 2022 ONNX exports: no timestep_spacing, no prediction_type.
SD15_PNDM_2022 = """{
  "_class_name": "PNDMScheduler",
  "_diffusers_version": "0.6.0",
  "beta_end": 0.012,
  "beta_schedule": "scaled_linear",
  "beta_start": 0.00085,
  "num_train_timesteps": 1000,
  "set_alpha_to_one": false,
  "skip_prk_steps": true,
  "steps_offset": 1,
  "trained_betas": null,
  "clip_sample": false
}
"""


def scheduler_config(kind, diffusers_version):
    """A re-saved scheduler config (every key the class knows, sorted), as Optimum exports contain."""
    common = {"_diffusers_version": diffusers_version, **BETAS, "trained_betas": None}
    if kind == "sd15-pndm":
        return {
            "_class_name": "PNDMScheduler", **common, "clip_sample": False, "prediction_type": "epsilon",
            "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "timestep_spacing": "leading",
        }
    if kind == "sd21-ddim":
        return {
            "_class_name": "DDIMScheduler", **common, "clip_sample": False, "clip_sample_range": 1.0,
            "dynamic_thresholding_ratio": 0.995, "prediction_type": "v_prediction", "rescale_betas_zero_snr": False,
            "sample_max_value": 1.0, "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
            "thresholding": False, "timestep_spacing": "leading",
        }
    if kind == "sd-turbo-euler":
        return {
            "_class_name": "EulerDiscreteScheduler", **common, "clip_sample": False, "final_sigmas_type": "zero",
            "interpolation_type": "linear", "prediction_type": "epsilon", "rescale_betas_zero_snr": False,
            "sample_max_value": 1.0, "set_alpha_to_one": False, "sigma_max": None, "sigma_min": None,
            "skip_prk_steps": True, "steps_offset": 1, "timestep_spacing": "trailing", "timestep_type": "discrete",
            "use_beta_sigmas": False, "use_exponential_sigmas": False, "use_karras_sigmas": False,
        }
    if kind == "lcm-dreamshaper":
        return {
            "_class_name": "LCMScheduler", **common, "clip_sample": False, "clip_sample_range": 1.0,
            "dynamic_thresholding_ratio": 0.995, "original_inference_steps": 50, "prediction_type": "epsilon",
            "rescale_betas_zero_snr": False, "sample_max_value": 1.0, "set_alpha_to_one": True, "steps_offset": 1,
            "thresholding": False, "timestep_scaling": 10.0, "timestep_spacing": "leading",
        }
    raise ValueError(f"unknown scheduler config {kind}")


def _added(content):
    return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}


def tokenizer_files(pad, style, name_or_path):
    """(special_tokens_map, tokenizer_config) for an SD tokenizer folder.

    style "2022": transformers 4.2x (AddedToken objects with __type); "recent": transformers 4.4x
    (added_tokens_decoder, plain strings in the map). `pad` is "<|endoftext|>" (SD1) or "!" (SD2).
    """
    bos, eos = "<|startoftext|>", "<|endoftext|>"
    if style == "2022":
        tok = {**_added(bos), "__type": "AddedToken"}
        special = {"bos_token": _added(bos), "eos_token": _added(eos), "pad_token": pad, "unk_token": _added(eos)}
        config = {
            "add_prefix_space": False, "bos_token": tok, "do_lower_case": True,
            "eos_token": {**_added(eos), "__type": "AddedToken"}, "errors": "replace", "model_max_length": 77,
            "name_or_path": name_or_path, "pad_token": pad, "special_tokens_map_file": "./special_tokens_map.json",
            "tokenizer_class": "CLIPTokenizer", "unk_token": {**_added(eos), "__type": "AddedToken"},
        }
        return special, config
    special = {"bos_token": bos, "eos_token": eos, "pad_token": pad, "unk_token": eos}
    decoder = {"49406": {**_added(bos), "special": True}, "49407": {**_added(eos), "special": True}}
    if pad == "!":
        decoder = {"0": {**_added("!"), "special": True}, **decoder}
    config = {
        "add_prefix_space": False, "added_tokens_decoder": decoder, "bos_token": bos,
        "clean_up_tokenization_spaces": True, "do_lower_case": True, "eos_token": eos, "errors": "replace",
        "model_max_length": 77, "pad_token": pad, "tokenizer_class": "CLIPTokenizer", "unk_token": eos,
    }
    return special, config


def text_encoder_config(text, sd2, transformers_version):
    """transformers' CLIPTextConfig as saved beside an Optimum text encoder (tiny sizes).

    bos/eos/pad ids 0/2/1 are the misleading values the real SD configs carry: special ids must come
    from the tokenizer files, never from here.
    """
    return {
        "architectures": ["CLIPTextModel"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
        "eos_token_id": 2, "hidden_act": text.act, "hidden_size": text.hidden, "initializer_factor": 1.0,
        "initializer_range": 0.02, "intermediate_size": text.intermediate, "layer_norm_eps": 1e-05,
        "max_position_embeddings": text.max_positions, "model_type": "clip_text_model",
        "num_attention_heads": text.heads, "num_hidden_layers": text.layers, "pad_token_id": 1,
        "projection_dim": 512 if sd2 else 768, "torch_dtype": "float32",
        "transformers_version": transformers_version, "vocab_size": text.vocab_size,
    }


def unet_config(u, diffusers_version, upcast_attention=False):
    """diffusers' UNet2DConditionModel config (tiny sizes); attention_head_dim = heads per level."""
    return {
        "_class_name": "UNet2DConditionModel", "_diffusers_version": diffusers_version, "act_fn": "silu",
        "addition_embed_type": None, "addition_embed_type_num_heads": 64, "addition_time_embed_dim": None,
        "attention_head_dim": list(u.heads), "attention_type": "default",
        "block_out_channels": list(u.block_out_channels), "center_input_sample": False, "class_embed_type": None,
        "class_embeddings_concat": False, "conv_in_kernel": 3, "conv_out_kernel": 3,
        "cross_attention_dim": u.cross_attention_dim, "cross_attention_norm": None,
        "down_block_types": list(u.down_block_types), "downsample_padding": 1, "dropout": 0.0,
        "dual_cross_attention": False, "encoder_hid_dim": None, "encoder_hid_dim_type": None,
        "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": u.in_channels,
        "layers_per_block": u.layers_per_block, "mid_block_only_cross_attention": None,
        "mid_block_scale_factor": 1, "mid_block_type": "UNetMidBlock2DCrossAttn", "norm_eps": 1e-05,
        "norm_num_groups": u.norm_num_groups, "num_attention_heads": None, "num_class_embeds": None,
        "only_cross_attention": False, "out_channels": u.out_channels,
        "projection_class_embeddings_input_dim": None, "resnet_out_scale_factor": 1.0,
        "resnet_skip_time_act": False, "resnet_time_scale_shift": "default",
        "reverse_transformer_layers_per_block": None, "sample_size": u.sample_size,
        "time_cond_proj_dim": u.time_cond_proj_dim, "time_embedding_act_fn": None, "time_embedding_dim": None,
        "time_embedding_type": "positional", "timestep_post_act": None, "transformer_layers_per_block": 1,
        "up_block_types": list(u.up_block_types), "upcast_attention": upcast_attention,
        "use_linear_projection": u.use_linear_projection,
    }


def vae_config(v, diffusers_version):
    """diffusers' AutoencoderKL config (tiny sizes), saved in both vae_encoder/ and vae_decoder/."""
    n = len(v.block_out_channels)
    return {
        "_class_name": "AutoencoderKL", "_diffusers_version": diffusers_version, "act_fn": "silu",
        "block_out_channels": list(v.block_out_channels), "down_block_types": ["DownEncoderBlock2D"] * n,
        "force_upcast": True, "in_channels": v.in_channels, "latent_channels": v.latent_channels,
        "latents_mean": None, "latents_std": None, "layers_per_block": v.layers_per_block,
        "mid_block_add_attention": True, "norm_num_groups": v.norm_num_groups, "out_channels": v.out_channels,
        "sample_size": v.sample_size, "scaling_factor": v.scaling_factor, "shift_factor": None,
        "up_block_types": ["UpDecoderBlock2D"] * n, "use_post_quant_conv": True, "use_quant_conv": True,
    }


def model_index(style, scheduler_class, diffusers_version):
    """model_index.json: the ONNX pipelines name ONNX parts; Optimum >= 1.24 keeps the diffusers
    pipeline's own file (vae, not vae_encoder/vae_decoder), so detect by folders, not by this file."""
    head = {"_diffusers_version": diffusers_version}
    none = [None, None]
    if style == "onnx-pipeline":  # diffusers convert script (2022) and Olive
        ort = ["diffusers", "OnnxRuntimeModel"]
        return {
            "_class_name": "OnnxStableDiffusionPipeline", **head, "feature_extractor": none,
            "requires_safety_checker": False, "safety_checker": none, "scheduler": ["diffusers", scheduler_class],
            "text_encoder": ort, "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ort,
            "vae_decoder": ort, "vae_encoder": ort,
        }
    torch_parts = {
        "scheduler": ["diffusers", scheduler_class], "text_encoder": ["transformers", "CLIPTextModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
        "vae": ["diffusers", "AutoencoderKL"],
    }
    names = {
        "ort-sd": "ORTStableDiffusionPipeline",
        "sd": "StableDiffusionPipeline",
        "lcm": "LatentConsistencyModelPipeline",
    }
    extra = {"image_encoder": none} if style != "ort-sd" else {}
    return {
        "_class_name": names[style], **head, "feature_extractor": none, **extra,
        "requires_safety_checker": False, "safety_checker": none, **torch_parts,
    }


def write_json(path, obj):
    """diffusers/transformers formatting: indent 2, sorted keys, trailing newline."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
