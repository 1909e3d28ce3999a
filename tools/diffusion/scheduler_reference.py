#!/usr/bin/python3
"""Writes diffusers' scheduler numbers for the Java scheduler tests (core/src/test/.../diffusion).

What it runs: the scheduler classes of huggingface/diffusers at commit
58eb52c0803ea9af3abec60841c2a093bdf1f951 (version 0.40.0.dev0), on Debian's python3-torch 1.13.1
and python3-numpy 1.24.2, on the CPU.

How to run it (nothing of diffusers is kept in this repository):

    git clone https://github.com/huggingface/diffusers /tmp/diffusers   # or an archive of it
    git -C /tmp/diffusers checkout 58eb52c0803ea9af3abec60841c2a093bdf1f951
    apt-get install python3-torch python3-numpy python3-packaging python3-filelock \
        python3-regex python3-tqdm python3-importlib-metadata python3-requests python3-pil
    PYTHONPATH=/tmp/diffusers/src /usr/bin/python3 tools/diffusion/scheduler_reference.py

Debian has no huggingface_hub package and its torch is older than diffusers expects, so
install_shims() below stubs the few huggingface_hub names diffusers imports at load time (they
are only used for downloads) and gives torch 1.13 the torch.xpu / torch.mps namespaces that
diffusers' torch_utils reads when it is imported. Neither touches any scheduler arithmetic.

It writes core/src/test/resources/diffusion/:
  scheduler_schedules.json  per scheduler kind x model config x step count: the resolved
                            config values, timesteps, sigmas and init_noise_sigma after
                            set_timesteps; plus alphas_cumprod of several noise schedules
  scheduler_loops.json      full sampling loops on a deterministic dummy model (see
                            dummy_model), text-to-image and image-to-image (strength 0.6),
                            recording each step's sample and x0 (a few elements and sums)
  scheduler_diffusers_tests.json  the full-loop procedures of diffusers'
                            tests/schedulers/test_scheduler_*.py, run here, with their results

Kinds are created as Atelier creates them: OtherScheduler.from_config(model_config) plus the
overrides the kind's name implies (DPM++ 2M: dpmsolver++, order 2, Karras on or off).
"""
import importlib.machinery
import json
import pathlib
import sys
import types

OUT_DIR = pathlib.Path(__file__).resolve().parents[2] / "core/src/test/resources/diffusion"
DIFFUSERS_COMMIT = "58eb52c0803ea9af3abec60841c2a093bdf1f951"


def install_shims():
    """Lets diffusers' scheduler modules import on Debian (see the module docstring)."""
    import torch

    for name in ("xpu", "mps"):
        if not hasattr(torch, name):
            setattr(
                torch,
                name,
                types.SimpleNamespace(
                    empty_cache=lambda: None,
                    device_count=lambda: 0,
                    manual_seed=lambda seed: None,
                    is_available=lambda: False,
                    reset_peak_memory_stats=None,
                    synchronize=lambda: None,
                ),
            )
    try:
        import huggingface_hub  # noqa: F401

        return
    except ImportError:
        pass

    class Unused:
        def __init__(self, *args, **kwargs):
            pass

    def lookup(name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name.endswith("Error"):
            return type(name, (Exception,), {})
        return Unused

    hub = types.ModuleType("huggingface_hub")
    hub.__version__ = "0.0.0-stub"
    hub.__getattr__ = lookup
    utils = types.ModuleType("huggingface_hub.utils")
    utils.validate_hf_hub_args = lambda f: f
    utils.is_jinja_available = lambda: False
    utils.__getattr__ = lookup
    constants = types.ModuleType("huggingface_hub.constants")
    constants.HF_HOME = "/nonexistent/hf_home"
    constants.HF_HUB_DISABLE_TELEMETRY = True
    constants.HF_HUB_OFFLINE = True
    file_download = types.ModuleType("huggingface_hub.file_download")
    file_download.REGEX_COMMIT_HASH = r"^[0-9a-f]{40}$"
    for module in (hub, utils, constants, file_download):
        module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None)
        sys.modules[module.__name__] = module
    hub.utils, hub.constants, hub.file_download = utils, constants, file_download


install_shims()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from diffusers.schedulers.scheduling_ddim import DDIMScheduler  # noqa: E402
from diffusers.schedulers.scheduling_dpmsolver_multistep import (  # noqa: E402
    DPMSolverMultistepScheduler,
)
from diffusers.schedulers.scheduling_euler_ancestral_discrete import (  # noqa: E402
    EulerAncestralDiscreteScheduler,
)
from diffusers.schedulers.scheduling_euler_discrete import EulerDiscreteScheduler  # noqa: E402
from diffusers.schedulers.scheduling_lcm import LCMScheduler  # noqa: E402
from diffusers.schedulers.scheduling_pndm import PNDMScheduler  # noqa: E402

# Real models' scheduler/scheduler_config.json files (the keys each file has; absent keys stay
# absent so the target class's defaults apply, as in diffusers' from_config).
CONFIGS = {
    # runwayml/stable-diffusion-v1-5 (diffusers 0.6.0): no timestep_spacing, no prediction_type
    "sd15_pndm_old": {
        "_class_name": "PNDMScheduler",
        "_diffusers_version": "0.6.0",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "num_train_timesteps": 1000,
        "set_alpha_to_one": False,
        "skip_prk_steps": True,
        "steps_offset": 1,
        "trained_betas": None,
        "clip_sample": False,
    },
    # an SD 1.5 export written by a newer diffusers/Optimum: every PNDM key spelled out
    "sd15_pndm_new": {
        "_class_name": "PNDMScheduler",
        "_diffusers_version": "0.21.0",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "clip_sample": False,
        "num_train_timesteps": 1000,
        "prediction_type": "epsilon",
        "set_alpha_to_one": False,
        "skip_prk_steps": True,
        "steps_offset": 1,
        "timestep_spacing": "leading",
        "trained_betas": None,
    },
    # stabilityai/stable-diffusion-2-1 (768, v-prediction)
    "sd21_ddim_v": {
        "_class_name": "DDIMScheduler",
        "_diffusers_version": "0.8.0",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "clip_sample": False,
        "num_train_timesteps": 1000,
        "prediction_type": "v_prediction",
        "set_alpha_to_one": False,
        "skip_prk_steps": True,
        "steps_offset": 1,
        "trained_betas": None,
    },
    # stabilityai/sd-turbo
    "turbo_euler_trailing": {
        "_class_name": "EulerDiscreteScheduler",
        "_diffusers_version": "0.24.0.dev0",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "clip_sample": False,
        "interpolation_type": "linear",
        "num_train_timesteps": 1000,
        "prediction_type": "epsilon",
        "sample_max_value": 1.0,
        "set_alpha_to_one": False,
        "skip_prk_steps": True,
        "steps_offset": 1,
        "timestep_spacing": "trailing",
        "trained_betas": None,
        "use_karras_sigmas": False,
    },
    # SimianLuo/LCM_Dreamshaper_v7
    "lcm_dreamshaper_v7": {
        "_class_name": "LCMScheduler",
        "_diffusers_version": "0.22.0.dev0",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "clip_sample": False,
        "clip_sample_range": 1.0,
        "dynamic_thresholding_ratio": 0.995,
        "num_train_timesteps": 1000,
        "original_inference_steps": 50,
        "prediction_type": "epsilon",
        "rescale_betas_zero_snr": False,
        "sample_max_value": 1.0,
        "set_alpha_to_one": True,
        "steps_offset": 1,
        "thresholding": False,
        "timestep_scaling": 10.0,
        "timestep_spacing": "leading",
        "trained_betas": None,
    },
    # a zero-terminal-SNR v-prediction fine-tune (trailing spacing, rescaled betas)
    "zsnr_v_trailing": {
        "_class_name": "DDIMScheduler",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "clip_sample": False,
        "num_train_timesteps": 1000,
        "prediction_type": "v_prediction",
        "rescale_betas_zero_snr": True,
        "set_alpha_to_one": False,
        "steps_offset": 1,
        "timestep_spacing": "trailing",
    },
    # SD 1.5 with an Euler config that asks for Karras sigmas, and DPM++ options off the defaults
    "sd15_euler_karras": {
        "_class_name": "EulerDiscreteScheduler",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "num_train_timesteps": 1000,
        "steps_offset": 1,
        "timestep_spacing": "leading",
        "use_karras_sigmas": True,
    },
    "cosine_sample_pred": {
        "beta_schedule": "squaredcos_cap_v2",
        "prediction_type": "sample",
        "timestep_spacing": "linspace",
        "final_sigmas_type": "sigma_min",
        "lower_order_final": False,
        "clip_sample": True,
        "clip_sample_range": 1.5,
    },
}

KINDS = {
    "euler": (EulerDiscreteScheduler, {}),
    "euler-a": (EulerAncestralDiscreteScheduler, {}),
    "ddim": (DDIMScheduler, {}),
    "dpm++2m": (
        DPMSolverMultistepScheduler,
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": False},
    ),
    "dpm++2m-karras": (
        DPMSolverMultistepScheduler,
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": True},
    ),
    "lcm": (LCMScheduler, {}),
    "pndm": (PNDMScheduler, {}),
}

# Resolved config keys recorded per kind (what the Java SchedulerConfig must resolve to).
RESOLVED_KEYS = [
    "num_train_timesteps",
    "beta_start",
    "beta_end",
    "beta_schedule",
    "prediction_type",
    "timestep_spacing",
    "steps_offset",
    "clip_sample",
    "clip_sample_range",
    "set_alpha_to_one",
    "skip_prk_steps",
    "use_karras_sigmas",
    "final_sigmas_type",
    "lower_order_final",
    "rescale_betas_zero_snr",
    "original_inference_steps",
    "timestep_scaling",
]

SCHEDULE_STEPS = [1, 2, 3, 4, 7, 16, 25, 50]
SHAPE = (1, 4, 8, 8)
PROBE = [0, 37, 128, 255]


def f32(values):
    """Float32 values as the shortest decimal that reads back as the same float32."""
    return [float(str(x)) for x in np.asarray(values, dtype=np.float32).reshape(-1)]


def g10(value):
    """A float64 statistic to 10 significant digits (compared with tolerances anyway)."""
    return float(f"{value:.10g}")


def supported(kind, config):
    """Combinations diffusers itself refuses (Atelier rejects them too, see the Java tests)."""
    pred = config.get("prediction_type", "epsilon")
    if kind == "euler-a" and pred == "sample":
        return False
    if kind == "pndm" and pred == "sample":
        return False
    return True


def make(kind, config, steps, strength=1.0):
    cls, overrides = KINDS[kind]
    scheduler = cls.from_config(dict(config), **overrides)
    if kind == "lcm":
        scheduler.set_timesteps(steps, strength=strength)
    else:
        scheduler.set_timesteps(steps)
    return scheduler


def resolved(scheduler):
    return {k: scheduler.config[k] for k in RESOLVED_KEYS if k in scheduler.config}


def init_noise_sigma(scheduler):
    return float(torch.as_tensor(scheduler.init_noise_sigma, dtype=torch.float32))


def prk_too_short(kind, config, steps):
    """PNDM's Runge-Kutta warm-up needs 4 steps (diffusers fails to broadcast with fewer)."""
    return kind == "pndm" and not config.get("skip_prk_steps", False) and steps < 4


def resolutions():
    out = []
    for cfg_name, config in CONFIGS.items():
        for kind in KINDS:
            if supported(kind, config):
                scheduler = make(kind, config, 4)
                out.append({"config": cfg_name, "kind": kind, "resolved": resolved(scheduler)})
    return out


def schedules():
    cases = []
    for cfg_name, config in CONFIGS.items():
        for kind in KINDS:
            if not supported(kind, config):
                continue
            for steps in SCHEDULE_STEPS:
                if prk_too_short(kind, config, steps):
                    continue
                scheduler = make(kind, config, steps)
                case = {
                    "config": cfg_name,
                    "kind": kind,
                    "steps": steps,
                    "timesteps": [float(t) for t in scheduler.timesteps],
                    "init_noise_sigma": init_noise_sigma(scheduler),
                }
                if kind in ("euler", "euler-a", "dpm++2m", "dpm++2m-karras"):
                    case["sigmas"] = f32(scheduler.sigmas)
                cases.append(case)
    # LCM image-to-image takes its timesteps from the strength-shortened schedule
    for steps in (1, 2, 4, 8):
        for strength in (0.3, 0.6):
            scheduler = make("lcm", CONFIGS["lcm_dreamshaper_v7"], steps, strength)
            cases.append(
                {
                    "config": "lcm_dreamshaper_v7",
                    "kind": "lcm",
                    "steps": steps,
                    "strength": strength,
                    "timesteps": [float(t) for t in scheduler.timesteps],
                    "init_noise_sigma": 1.0,
                }
            )
    return cases


def noise_schedules():
    """alphas_cumprod (float32) of the schedules the tests use, from the classes that own them."""
    out = []
    specs = [
        ("scaled_linear_0.00085_0.012_1000", DDIMScheduler, CONFIGS["sd15_pndm_new"]),
        ("linear_0.0001_0.02_1100", DDIMScheduler, {"num_train_timesteps": 1100}),
        ("squaredcos_cap_v2_1000", DDIMScheduler, {"beta_schedule": "squaredcos_cap_v2"}),
        ("zsnr_ddim", DDIMScheduler, CONFIGS["zsnr_v_trailing"]),
        ("zsnr_euler", EulerDiscreteScheduler, CONFIGS["zsnr_v_trailing"]),
    ]
    for name, cls, config in specs:
        scheduler = cls.from_config(dict(config))
        out.append({"name": name, "class": cls.__name__, "config": config,
                    "alphas_cumprod": f32(scheduler.alphas_cumprod)})
    return out


def pattern(n, modulus, offset, scale):
    """((k % modulus) - offset) * scale in float32, rebuilt exactly by the Java tests."""
    k = torch.arange(n)
    return ((k % modulus) - offset).to(torch.float32) * scale


def dummy_model(sample, t):
    """A deterministic stand-in for the UNet: 0.9 * sample * t/(t+1) + a fixed pattern.

    Float32 throughout, in this order, so Java can redo it exactly.
    """
    tf = torch.tensor(float(t), dtype=torch.float32)
    a = tf / (tf + 1)
    bias = pattern(sample.numel(), 7, 3, 0.05).reshape(sample.shape)
    return sample * a * 0.9 + bias


def stats(x):
    flat = x.reshape(-1).to(torch.float32)
    d = flat.numpy().astype(np.float64)
    return {"probe": f32(flat[PROBE]), "sum": g10(d.sum()), "abs_sum": g10(np.abs(d).sum())}


def step_kwargs(kind, generator, eta):
    if kind == "pndm":
        return {}
    if kind == "ddim":
        return {"generator": generator, "eta": eta}
    return {"generator": generator}


def x0_of(kind, scheduler, output):
    if kind == "lcm":
        return output.denoised
    if kind in ("dpm++2m", "dpm++2m-karras"):
        return scheduler.model_outputs[-1]
    if kind == "pndm":
        return None
    return output.pred_original_sample


def loop(kind, cfg_name, steps, seed, eta=0.0, strength=None):
    config = CONFIGS[cfg_name]
    lcm_strength = strength if (kind == "lcm" and strength is not None) else 1.0
    scheduler = make(kind, config, steps, lcm_strength)
    generator = torch.Generator().manual_seed(seed)
    timesteps = scheduler.timesteps
    begin = 0
    if strength is None:
        latents = torch.randn(SHAPE, generator=generator) * scheduler.init_noise_sigma
    else:
        # diffusers' img2img: get_timesteps (+ set_begin_index) before prepare_latents; the LCM
        # img2img pipeline instead shortens the schedule in set_timesteps and starts at 0.
        if kind != "lcm":
            init_timestep = min(int(steps * strength), steps)
            begin = max(steps - init_timestep, 0) * scheduler.order
            timesteps = scheduler.timesteps[begin:]
            if hasattr(scheduler, "set_begin_index"):
                scheduler.set_begin_index(begin)
        clean = pattern(int(np.prod(SHAPE)), 11, 5, 0.1).reshape(SHAPE)
        noise = torch.randn(SHAPE, generator=generator)
        latents = scheduler.add_noise(clean, noise, timesteps[:1])
    record = {
        "kind": kind,
        "config": cfg_name,
        "steps": steps,
        "seed": seed,
        "eta": eta,
        "strength": strength,
        "begin_index": begin,
        "timesteps": [float(t) for t in scheduler.timesteps],
        "start": stats(latents),
        "steps_taken": [],
    }
    for i, t in enumerate(timesteps):
        model_input = scheduler.scale_model_input(latents, t)
        output = dummy_model(model_input, t)
        result = scheduler.step(output, t, latents, **step_kwargs(kind, generator, eta))
        x0 = x0_of(kind, scheduler, result)
        latents = result.prev_sample
        entry = {
            "index": begin + i,
            "t": float(t),
            "input_sum": g10(model_input.to(torch.float64).sum().item()),
            "sample": stats(latents),
        }
        if x0 is not None:
            entry["x0"] = stats(x0)
        record["steps_taken"].append(entry)
    return record


def loops():
    out = []
    for cfg_name, config in CONFIGS.items():
        for kind in KINDS:
            if not supported(kind, config):
                continue
            for steps in (1, 4, 20):
                if prk_too_short(kind, config, steps):
                    continue
                out.append(loop(kind, cfg_name, steps, seed=len(out) + 1))
    for kind in KINDS:
        out.append(loop(kind, "sd15_pndm_new", 50, seed=1234))
        out.append(loop(kind, "sd15_pndm_new", 20, seed=77, strength=0.6))
        out.append(loop(kind, "turbo_euler_trailing", 4, seed=78, strength=0.6))
    out.append(loop("lcm", "lcm_dreamshaper_v7", 4, seed=5, strength=0.6))
    out.append(loop("lcm", "lcm_dreamshaper_v7", 2, seed=6))
    out.append(loop("euler-a", "turbo_euler_trailing", 2, seed=7))
    for eta in (0.5, 1.0):
        out.append(loop("ddim", "sd15_pndm_new", 20, seed=8, eta=eta))
        out.append(loop("ddim", "sd15_pndm_new", 20, seed=9, eta=eta, strength=0.6))
    return out


# ---- diffusers' own full-loop tests (tests/schedulers/test_scheduler_*.py), run as written ----


def dummy_sample_deter():
    n = 4 * 3 * 8 * 8
    return (torch.arange(n).reshape(3, 8, 8, 4) / n).permute(3, 0, 1, 2)


def dummy_noise_deter():
    n = 4 * 3 * 8 * 8
    return (torch.arange(n).flip(-1).reshape(3, 8, 8, 4) / n).permute(3, 0, 1, 2)


def test_model(sample, t):
    if isinstance(t, torch.Tensor):
        t = t.reshape(-1, *(1,) * (len(sample.shape) - 1)).to(sample.dtype)
    return sample * t / (t + 1)


def euler_family_loop(cls, config, steps, noise_start=None):
    scheduler = cls(**config)
    scheduler.set_timesteps(steps)
    generator = torch.manual_seed(0)
    sample = dummy_sample_deter() * scheduler.init_noise_sigma
    timesteps = scheduler.timesteps
    if noise_start is not None:
        timesteps = scheduler.timesteps[noise_start * scheduler.order :]
        sample = scheduler.add_noise(sample, dummy_noise_deter(), timesteps[:1])
    for t in timesteps:
        sample = scheduler.scale_model_input(sample, t)
        out = test_model(sample, t)
        sample = scheduler.step(out, t, sample, generator=generator).prev_sample
    return sample


def plain_loop(cls, config, steps, step, noise_start=None):
    scheduler = cls(**config)
    scheduler.set_timesteps(steps)
    generator = torch.manual_seed(0)
    sample = dummy_sample_deter()
    timesteps = scheduler.timesteps
    if noise_start is not None:
        timesteps = scheduler.timesteps[noise_start * scheduler.order :]
        sample = scheduler.add_noise(sample, dummy_noise_deter(), timesteps[:1])
    for t in timesteps:
        sample = step(scheduler, test_model(sample, t), t, sample, generator)
    return sample


def pndm_loop(config):
    scheduler = PNDMScheduler(**config)
    scheduler.set_timesteps(10)
    sample = dummy_sample_deter()
    for t in scheduler.prk_timesteps:
        sample = scheduler.step_prk(test_model(sample, t), t, sample).prev_sample
    for t in scheduler.plms_timesteps:
        sample = scheduler.step_plms(test_model(sample, t), t, sample).prev_sample
    return sample


def diffusers_tests():
    linear_1100 = {"num_train_timesteps": 1100, "beta_start": 0.0001, "beta_end": 0.02,
                   "beta_schedule": "linear"}
    linear_1000 = dict(linear_1100, num_train_timesteps=1000)
    ddim = dict(linear_1000, clip_sample=True)
    dpm = dict(linear_1000, solver_order=2, prediction_type="epsilon", thresholding=False,
               sample_max_value=1.0, algorithm_type="dpmsolver++", solver_type="midpoint",
               lower_order_final=False, euler_at_final=False,
               lambda_min_clipped=-float("inf"), variance_type=None,
               final_sigmas_type="sigma_min")
    lcm = {"num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.0120,
           "beta_schedule": "scaled_linear", "prediction_type": "epsilon"}

    def ddim_step(s, out, t, x, g):
        return s.step(out, t, x, 0.0).prev_sample

    def dpm_step(s, out, t, x, g):
        return s.step(out, t, x, generator=g).prev_sample

    def lcm_step(s, out, t, x, g):
        return s.step(out, t, x, g).prev_sample

    runs = [
        ("test_scheduler_euler.py", "test_full_loop_no_noise", "euler", linear_1100, 10, None,
         lambda: euler_family_loop(EulerDiscreteScheduler, linear_1100, 10)),
        ("test_scheduler_euler.py", "test_full_loop_with_v_prediction", "euler",
         dict(linear_1100, prediction_type="v_prediction"), 10, None,
         lambda: euler_family_loop(EulerDiscreteScheduler,
                                   dict(linear_1100, prediction_type="v_prediction"), 10)),
        ("test_scheduler_euler.py", "test_full_loop_device_karras_sigmas", "euler",
         dict(linear_1100, use_karras_sigmas=True), 10, None,
         lambda: euler_family_loop(EulerDiscreteScheduler,
                                   dict(linear_1100, use_karras_sigmas=True), 10)),
        ("test_scheduler_euler.py", "test_full_loop_with_noise", "euler", linear_1100, 10, 8,
         lambda: euler_family_loop(EulerDiscreteScheduler, linear_1100, 10, noise_start=8)),
        ("test_scheduler_euler_ancestral.py", "test_full_loop_no_noise", "euler-a",
         linear_1100, 10, None,
         lambda: euler_family_loop(EulerAncestralDiscreteScheduler, linear_1100, 10)),
        ("test_scheduler_euler_ancestral.py", "test_full_loop_with_v_prediction", "euler-a",
         dict(linear_1100, prediction_type="v_prediction"), 10, None,
         lambda: euler_family_loop(EulerAncestralDiscreteScheduler,
                                   dict(linear_1100, prediction_type="v_prediction"), 10)),
        ("test_scheduler_euler_ancestral.py", "test_full_loop_with_noise", "euler-a",
         linear_1100, 10, 8,
         lambda: euler_family_loop(EulerAncestralDiscreteScheduler, linear_1100, 10,
                                   noise_start=8)),
        ("test_scheduler_ddim.py", "test_full_loop_no_noise", "ddim", ddim, 10, None,
         lambda: plain_loop(DDIMScheduler, ddim, 10, ddim_step)),
        ("test_scheduler_ddim.py", "test_full_loop_with_v_prediction", "ddim",
         dict(ddim, prediction_type="v_prediction"), 10, None,
         lambda: plain_loop(DDIMScheduler, dict(ddim, prediction_type="v_prediction"), 10,
                            ddim_step)),
        ("test_scheduler_ddim.py", "test_full_loop_with_set_alpha_to_one", "ddim",
         dict(ddim, set_alpha_to_one=True, beta_start=0.01), 10, None,
         lambda: plain_loop(DDIMScheduler, dict(ddim, set_alpha_to_one=True, beta_start=0.01),
                            10, ddim_step)),
        ("test_scheduler_ddim.py", "test_full_loop_with_no_set_alpha_to_one", "ddim",
         dict(ddim, set_alpha_to_one=False, beta_start=0.01), 10, None,
         lambda: plain_loop(DDIMScheduler, dict(ddim, set_alpha_to_one=False, beta_start=0.01),
                            10, ddim_step)),
        ("test_scheduler_ddim.py", "test_full_loop_with_noise", "ddim", ddim, 10, 8,
         lambda: plain_loop(DDIMScheduler, ddim, 10, ddim_step, noise_start=8)),
        ("test_scheduler_dpm_multi.py", "test_full_loop_no_noise", "dpm++2m", dpm, 10, None,
         lambda: plain_loop(DPMSolverMultistepScheduler, dpm, 10, dpm_step)),
        ("test_scheduler_dpm_multi.py", "test_full_loop_with_noise", "dpm++2m", dpm, 10, 5,
         lambda: plain_loop(DPMSolverMultistepScheduler, dpm, 10, dpm_step, noise_start=5)),
        ("test_scheduler_dpm_multi.py", "test_full_loop_with_v_prediction", "dpm++2m",
         dict(dpm, prediction_type="v_prediction"), 10, None,
         lambda: plain_loop(DPMSolverMultistepScheduler,
                            dict(dpm, prediction_type="v_prediction"), 10, dpm_step)),
        ("test_scheduler_dpm_multi.py", "test_full_loop_with_karras_and_v_prediction",
         "dpm++2m-karras", dict(dpm, prediction_type="v_prediction", use_karras_sigmas=True),
         10, None,
         lambda: plain_loop(DPMSolverMultistepScheduler,
                            dict(dpm, prediction_type="v_prediction", use_karras_sigmas=True),
                            10, dpm_step)),
        ("test_scheduler_lcm.py", "test_full_loop_onestep", "lcm", lcm, 1, None,
         lambda: plain_loop(LCMScheduler, lcm, 1, lcm_step)),
        ("test_scheduler_lcm.py", "test_full_loop_multistep", "lcm", lcm, 10, None,
         lambda: plain_loop(LCMScheduler, lcm, 10, lcm_step)),
        ("test_scheduler_pndm.py", "test_full_loop_no_noise", "pndm", linear_1000, 10, None,
         lambda: pndm_loop(linear_1000)),
        ("test_scheduler_pndm.py", "test_full_loop_with_v_prediction", "pndm",
         dict(linear_1000, prediction_type="v_prediction"), 10, None,
         lambda: pndm_loop(dict(linear_1000, prediction_type="v_prediction"))),
        ("test_scheduler_pndm.py", "test_full_loop_with_set_alpha_to_one", "pndm",
         dict(linear_1000, set_alpha_to_one=True, beta_start=0.01), 10, None,
         lambda: pndm_loop(dict(linear_1000, set_alpha_to_one=True, beta_start=0.01))),
        ("test_scheduler_pndm.py", "test_full_loop_with_no_set_alpha_to_one", "pndm",
         dict(linear_1000, set_alpha_to_one=False, beta_start=0.01), 10, None,
         lambda: pndm_loop(dict(linear_1000, set_alpha_to_one=False, beta_start=0.01))),
    ]
    out = []
    for file, test, kind, config, steps, noise_start, run in runs:
        sample = run().reshape(-1).numpy().astype(np.float64)
        out.append({
            "file": "tests/schedulers/" + file,
            "test": test,
            "kind": kind,
            "config": config,  # lambda_min_clipped -inf is written as -Infinity
            "steps": steps,
            "noise_start": noise_start,
            "result_sum": float(np.abs(sample).sum()),
            "result_mean": float(np.abs(sample).mean()),
        })
    return out


def write(name, header, key, items):
    lines = [json.dumps(item, separators=(",", ":")) for item in items]
    text = "{\n" + ",\n".join(f' "{k}": {json.dumps(v)}' for k, v in header.items())
    text += f',\n "{key}": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    (OUT_DIR / name).write_text(text)
    print(f"wrote {len(items)} {key} to {OUT_DIR / name}")


def main():
    header = {
        "generated_by": "tools/diffusion/scheduler_reference.py",
        "diffusers_commit": DIFFUSERS_COMMIT,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "configs": CONFIGS,
    }
    write("scheduler_schedules.json",
          dict(header, noise_schedules=noise_schedules(), resolved=resolutions()),
          "cases", schedules())
    write("scheduler_loops.json", dict(header, probe=PROBE, shape=list(SHAPE)), "loops", loops())
    write("scheduler_diffusers_tests.json", {k: header[k] for k in header if k != "configs"},
          "tests", diffusers_tests())


if __name__ == "__main__":
    main()
