#!/usr/bin/python3
"""Writes diffusers' numbers for the samplers added for A1111 parity (Heun, LMS, DPM2, UniPC,
DPM++ 2M SDE), in the formats of scheduler_reference.py, for the same Java tests.

What it runs: the scheduler classes of huggingface/diffusers at the commit scheduler_reference.py
names (58eb52c0803ea9af3abec60841c2a093bdf1f951), on Debian's python3-torch and python3-numpy
on the CPU; LMSDiscreteScheduler also needs Debian's python3-scipy (its coefficients are
scipy.integrate.quad integrals). Run it as scheduler_reference.py is run:

    apt-get install python3-scipy   # besides the packages scheduler_reference.py lists
    PYTHONPATH=/tmp/diffusers/src /usr/bin/python3 tools/diffusion/sampler_reference.py

It reuses scheduler_reference.py's model configs, dummy UNet, statistics and loop procedure
(the pipelines' order: starting noise, then each step's noise, from one seeded generator), and
writes core/src/test/resources/diffusion/:
  sampler_schedules.json  per new kind x model config x step count: timesteps, sigmas (as
                          diffusers holds them: Heun and DPM2 repeat each inner sigma, one entry
                          per UNet call), DPM2's sigmas_interpol, init_noise_sigma, resolved keys
  sampler_loops.json      full sampling loops on the dummy model, text-to-image and
                          image-to-image (strength 0.6), each step's sample and x0

Kinds are created as Atelier creates them: OtherScheduler.from_config(model_config) plus the
overrides the kind's name implies (LMS and DPM2: Karras off or on; UniPC: order 2, Karras off;
DPM++ 2M SDE: sde-dpmsolver++, order 2, Karras off or on). Heun takes use_karras_sigmas from
the config, as Euler does.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import scheduler_reference as R  # noqa: E402  (installs the import shims first)
import torch  # noqa: E402
from diffusers.schedulers.scheduling_dpmsolver_multistep import (  # noqa: E402
    DPMSolverMultistepScheduler,
)
from diffusers.schedulers.scheduling_heun_discrete import HeunDiscreteScheduler  # noqa: E402
from diffusers.schedulers.scheduling_k_dpm_2_discrete import KDPM2DiscreteScheduler  # noqa: E402
from diffusers.schedulers.scheduling_lms_discrete import LMSDiscreteScheduler  # noqa: E402
from diffusers.schedulers.scheduling_unipc_multistep import (  # noqa: E402
    UniPCMultistepScheduler,
)

KINDS = {
    "heun": (HeunDiscreteScheduler, {}),
    "lms": (LMSDiscreteScheduler, {"use_karras_sigmas": False}),
    "lms-karras": (LMSDiscreteScheduler, {"use_karras_sigmas": True}),
    "dpm2": (KDPM2DiscreteScheduler, {"use_karras_sigmas": False}),
    "dpm2-karras": (KDPM2DiscreteScheduler, {"use_karras_sigmas": True}),
    "unipc": (UniPCMultistepScheduler, {"solver_order": 2, "use_karras_sigmas": False}),
    "dpm++2m-sde": (
        DPMSolverMultistepScheduler,
        {"algorithm_type": "sde-dpmsolver++", "solver_order": 2, "use_karras_sigmas": False},
    ),
    "dpm++2m-sde-karras": (
        DPMSolverMultistepScheduler,
        {"algorithm_type": "sde-dpmsolver++", "solver_order": 2, "use_karras_sigmas": True},
    ),
}

# One more config, for Heun's clip_sample with sample prediction on a well-conditioned schedule
R.CONFIGS = dict(
    R.CONFIGS,
    sd15_sample_clip=dict(
        R.CONFIGS["sd15_pndm_new"],
        _class_name="HeunDiscreteScheduler",
        prediction_type="sample",
        clip_sample=True,
        clip_sample_range=1.5,
    ),
)

# the model-output-as-x0 samplers (no pred_original_sample in their step output)
MULTISTEP = ("unipc", "dpm++2m-sde", "dpm++2m-sde-karras")


def supported(kind, config):
    """KDPM2DiscreteScheduler raises NotImplementedError for sample prediction."""
    pred = config.get("prediction_type", "epsilon")
    return not (kind.startswith("dpm2") and pred == "sample")


def step_kwargs(kind, generator, eta):
    return {"generator": generator} if kind.startswith("dpm++2m-sde") else {}


def x0_of(kind, scheduler, output):
    return scheduler.model_outputs[-1] if kind in MULTISTEP else output.pred_original_sample


# scheduler_reference's loop() looks these up in its own module
R.KINDS = KINDS
R.step_kwargs = step_kwargs
R.x0_of = x0_of


def schedules():
    cases = []
    for cfg_name, config in R.CONFIGS.items():
        for kind in KINDS:
            if not supported(kind, config):
                continue
            for steps in R.SCHEDULE_STEPS:
                scheduler = R.make(kind, config, steps)
                case = {
                    "config": cfg_name,
                    "kind": kind,
                    "steps": steps,
                    "timesteps": [float(t) for t in scheduler.timesteps],
                    "init_noise_sigma": R.init_noise_sigma(scheduler),
                    "sigmas": R.f32(scheduler.sigmas),
                }
                if kind.startswith("dpm2"):
                    case["sigmas_interpol"] = [
                        None if torch.isnan(s) else float(str(s.item()))
                        for s in scheduler.sigmas_interpol.to(torch.float32)
                    ]
                cases.append(case)
    return cases


def resolutions():
    out = []
    for cfg_name, config in R.CONFIGS.items():
        for kind in KINDS:
            if supported(kind, config):
                scheduler = R.make(kind, config, 4)
                out.append({"config": cfg_name, "kind": kind, "resolved": R.resolved(scheduler)})
    return out


def ill_conditioned(kind, cfg_name):
    """Heun on the cosine schedule (first sigma 20291): its second call divides the Euler
    step's float32 cancellation error by sigma ~1.75 and multiplies it by dt ~ -20289, so a
    2e-6 relative change of the starting noise (how closely Java's randn follows torch's AVX2
    fill) moves diffusers' own result by ~50 in the sum after one step. Not a reference."""
    return kind == "heun" and cfg_name == "cosine_sample_pred"


def loops():
    out = []
    for cfg_name, config in R.CONFIGS.items():
        for kind in KINDS:
            if not supported(kind, config) or ill_conditioned(kind, cfg_name):
                continue
            for steps in (1, 4, 20):
                out.append(R.loop(kind, cfg_name, steps, seed=1000 + len(out)))
    for kind in KINDS:
        out.append(R.loop(kind, "sd15_pndm_new", 50, seed=1234))
        out.append(R.loop(kind, "sd15_pndm_new", 20, seed=77, strength=0.6))
        out.append(R.loop(kind, "sd15_pndm_old", 7, seed=79, strength=0.3))
        out.append(R.loop(kind, "turbo_euler_trailing", 4, seed=78, strength=0.6))
    return out


def main():
    header = {
        "generated_by": "tools/diffusion/sampler_reference.py",
        "diffusers_commit": R.DIFFUSERS_COMMIT,
        "torch_version": torch.__version__,
        "numpy_version": R.np.__version__,
        "configs": R.CONFIGS,
    }
    R.write("sampler_schedules.json", dict(header, resolved=resolutions()), "cases", schedules())
    R.write("sampler_loops.json", dict(header, probe=R.PROBE, shape=list(R.SHAPE)), "loops", loops())


if __name__ == "__main__":
    main()
