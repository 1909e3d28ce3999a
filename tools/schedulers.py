"""Reference samplers for the golden pipeline: Euler, Euler ancestral, DDIM, DPM++ 2M, LCM.

What it is: our own implementation of diffusers' scheduler math (EulerDiscreteScheduler,
EulerAncestralDiscreteScheduler, DDIMScheduler, DPMSolverMultistepScheduler with dpmsolver++ order 2
midpoint, LCMScheduler), with the same dtypes (betas and alphas_cumprod in float32 torch, sigmas
interpolated by numpy and stored float32, Euler steps upcast to float32) so results agree with
diffusers to the last bit. Written from diffusers at commit 58eb52c0803ea9af3abec60841c2a093bdf1f951
(src/diffusers/schedulers/); checked against those classes bit for bit on every configuration and
step count the golden cases use (the check harness imports diffusers and is not part of the repo).

Configuration: `make(kind, config, steps)` behaves like diffusers'
`OtherScheduler.from_config(model_config)` followed by `set_timesteps(steps)`: keys present in the
model's scheduler_config.json override, absent keys take the target class's own defaults.

Per image, stateful, not thread-safe. Not a script: imported by reference_pipeline.py.
"""

import numpy as np
import torch

CLASS_DEFAULTS = {
    "euler": dict(prediction_type="epsilon", timestep_spacing="linspace", steps_offset=0, interpolation_type="linear",
                  use_karras_sigmas=False, final_sigmas_type="zero", timestep_type="discrete"),
    "euler-a": dict(prediction_type="epsilon", timestep_spacing="linspace", steps_offset=0),
    "ddim": dict(prediction_type="epsilon", timestep_spacing="leading", steps_offset=0, clip_sample=True,
                 clip_sample_range=1.0, set_alpha_to_one=True, thresholding=False),
    "dpm++2m": dict(prediction_type="epsilon", timestep_spacing="linspace", steps_offset=0, solver_order=2,
                    algorithm_type="dpmsolver++", solver_type="midpoint", lower_order_final=True,
                    euler_at_final=False, use_karras_sigmas=False, final_sigmas_type="zero", thresholding=False,
                    lambda_min_clipped=-float("inf")),
    "lcm": dict(prediction_type="epsilon", timestep_spacing="leading", steps_offset=0, original_inference_steps=50,
                clip_sample=False, clip_sample_range=1.0, set_alpha_to_one=True, thresholding=False,
                timestep_scaling=10.0),
}
COMMON_DEFAULTS = dict(num_train_timesteps=1000, beta_start=0.0001, beta_end=0.02, beta_schedule="linear",
                       trained_betas=None, rescale_betas_zero_snr=False)
SUPPORTED = {"thresholding": False, "rescale_betas_zero_snr": False, "trained_betas": None, "use_karras_sigmas": False,
             "timestep_type": "discrete", "interpolation_type": "linear", "final_sigmas_type": "zero",
             "solver_order": 2, "algorithm_type": "dpmsolver++", "solver_type": "midpoint", "euler_at_final": False}


def resolve_config(kind, config):
    """The effective settings: class defaults overridden by the keys the model's file has."""
    if kind not in CLASS_DEFAULTS:
        raise ValueError(f"unknown scheduler {kind!r}; expected one of {sorted(CLASS_DEFAULTS)}")
    known = {**COMMON_DEFAULTS, **CLASS_DEFAULTS[kind]}
    c = {**known, **{k: v for k, v in config.items() if k in known}}
    for key, value in SUPPORTED.items():
        if key in c and c[key] != value:
            raise ValueError(f"{kind}: {key}={c[key]!r} is not supported by the reference (expected {value!r})")
    if c["beta_schedule"] not in ("scaled_linear", "linear"):
        raise ValueError(f"beta_schedule {c['beta_schedule']!r} is not supported")
    return c


class Scheduler:
    """Common state: the training noise schedule and the per-run step position."""

    order = 1

    def __init__(self, kind, c):
        self.kind, self.c = kind, c
        n = c["num_train_timesteps"]
        if c["beta_schedule"] == "scaled_linear":
            betas = torch.linspace(c["beta_start"] ** 0.5, c["beta_end"] ** 0.5, n, dtype=torch.float32) ** 2
        else:
            betas = torch.linspace(c["beta_start"], c["beta_end"], n, dtype=torch.float32)
        self.alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
        self.step_index = 0
        self.begin_index = 0

    def set_begin_index(self, index):
        """Image-to-image: sampling starts at call `index` (diffusers' set_begin_index)."""
        self.begin_index = self.step_index = index

    def scale_model_input(self, sample):
        return sample

    def _spaced(self, steps, dtype):
        """linspace / leading / trailing timesteps (Table 2 of arXiv:2305.08891), as each class spaces them."""
        c, n = self.c, self.c["num_train_timesteps"]
        spacing = c["timestep_spacing"]
        if spacing == "linspace":
            if self.kind == "ddim":
                return np.linspace(0, n - 1, steps).round()[::-1].copy().astype(np.int64)
            return np.linspace(0, n - 1, steps, dtype=np.float32)[::-1].copy()
        if spacing == "leading":
            ratio = n // steps
            t = (np.arange(0, steps) * ratio).round()[::-1].copy().astype(dtype)
            return t + c["steps_offset"]
        if spacing == "trailing":
            t = np.round(np.arange(n, 0, -n / steps)).astype(dtype)
            return t - 1
        raise ValueError(f"timestep_spacing {spacing!r} is not supported")


class EulerDiscrete(Scheduler):
    """Euler (and, with `ancestral`, Euler a) on the Karras sigma parameterisation."""

    def __init__(self, kind, c, steps):
        super().__init__(kind, c)
        self.timesteps = torch.from_numpy(self._spaced(steps, np.float32).astype(np.float32))
        base = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        sigmas = np.interp(self.timesteps.numpy(), np.arange(0, len(base)), base)
        self.sigmas = torch.from_numpy(np.concatenate([sigmas, [0.0]]).astype(np.float32))
        self.ancestral = kind == "euler-a"

    @property
    def init_noise_sigma(self):
        top = self.sigmas.max()
        return top if self.c["timestep_spacing"] in ("linspace", "trailing") else (top**2 + 1) ** 0.5

    def scale_model_input(self, sample):
        sigma = self.sigmas[self.step_index]
        return sample / ((sigma**2 + 1) ** 0.5)

    def step(self, model_output, sample, generator):
        sample = sample.to(torch.float32)
        sigma = self.sigmas[self.step_index]
        if self.c["prediction_type"] == "epsilon":
            x0 = sample - sigma * model_output
        elif self.c["prediction_type"] == "v_prediction":
            x0 = model_output * (-sigma / (sigma**2 + 1) ** 0.5) + (sample / (sigma**2 + 1))
        else:
            raise ValueError(f"prediction_type {self.c['prediction_type']!r} is not supported")
        derivative = (sample - x0) / sigma
        nxt = self.sigmas[self.step_index + 1]
        if self.ancestral:
            sigma_up = (nxt**2 * (sigma**2 - nxt**2) / sigma**2) ** 0.5
            sigma_down = (nxt**2 - sigma_up**2) ** 0.5
            prev = sample + derivative * (sigma_down - sigma)
            noise = torch.randn(model_output.shape, generator=generator, dtype=model_output.dtype)
            prev = prev + noise * sigma_up  # drawn at every step, the last one included
        else:
            prev = sample + derivative * (nxt - sigma)
        self.step_index += 1
        return prev.to(model_output.dtype), x0

    def add_noise(self, original, noise):
        sigma = self.sigmas.to(original.dtype)[[self.begin_index]].flatten()
        return original + noise * sigma[:, None, None, None]


class Ddim(Scheduler):
    def __init__(self, kind, c, steps):
        super().__init__(kind, c)
        self.steps = steps
        self.timesteps = torch.from_numpy(self._spaced(steps, np.int64))
        self.final_alpha_cumprod = torch.tensor(1.0) if c["set_alpha_to_one"] else self.alphas_cumprod[0]
        self.init_noise_sigma = 1.0

    def step(self, model_output, sample, generator, eta=0.0):
        t = int(self.timesteps[self.step_index])
        prev_t = t - self.c["num_train_timesteps"] // self.steps
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        b_t = 1 - a_t
        if self.c["prediction_type"] == "epsilon":
            x0, eps = (sample - b_t ** (0.5) * model_output) / a_t ** (0.5), model_output
        elif self.c["prediction_type"] == "v_prediction":
            x0 = (a_t**0.5) * sample - (b_t**0.5) * model_output
            eps = (a_t**0.5) * model_output + (b_t**0.5) * sample
        else:
            raise ValueError(f"prediction_type {self.c['prediction_type']!r} is not supported")
        if self.c["clip_sample"]:
            x0 = x0.clamp(-self.c["clip_sample_range"], self.c["clip_sample_range"])
        variance = ((1 - a_prev) / b_t) * (1 - a_t / a_prev)
        std = eta * variance ** (0.5)
        prev = a_prev ** (0.5) * x0 + (1 - a_prev - std**2) ** (0.5) * eps
        if eta > 0:
            prev = prev + std * torch.randn(model_output.shape, generator=generator, dtype=model_output.dtype)
        self.step_index += 1
        return prev, x0

    def add_noise(self, original, noise):
        a = self.alphas_cumprod.to(original.dtype)[self.timesteps[[self.begin_index]]]
        return (a**0.5).flatten()[:, None, None, None] * original + ((1 - a) ** 0.5).flatten()[:, None, None, None] * noise


class DpmPP2M(Scheduler):
    """DPM-Solver++ 2M (multistep, midpoint), first order at the first and last steps as diffusers."""

    def __init__(self, kind, c, steps):
        super().__init__(kind, c)
        n = c["num_train_timesteps"]
        spacing = c["timestep_spacing"]
        if spacing == "linspace":
            t = np.linspace(0, n - 1, steps + 1).round()[::-1][:-1].copy().astype(np.int64)
        elif spacing == "leading":
            t = (np.arange(0, steps + 1) * (n // (steps + 1))).round()[::-1][:-1].copy().astype(np.int64)
            t += c["steps_offset"]
        elif spacing == "trailing":
            t = np.arange(n, 0, -n / steps).round().copy().astype(np.int64) - 1
        else:
            raise ValueError(f"timestep_spacing {spacing!r} is not supported")
        base = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        sigmas = np.interp(t, np.arange(0, len(base)), base)
        self.sigmas = torch.from_numpy(np.concatenate([sigmas, [0]]).astype(np.float32))
        self.timesteps = torch.from_numpy(t).to(torch.int64)
        self.previous = None  # the last data prediction
        self.init_noise_sigma = 1.0

    @staticmethod
    def _alpha_sigma(sigma):
        alpha = 1 / ((sigma**2 + 1) ** 0.5)
        return alpha, sigma * alpha

    def step(self, model_output, sample, generator):
        i, n = self.step_index, len(self.timesteps)
        a_s, s_s = self._alpha_sigma(self.sigmas[i])
        if self.c["prediction_type"] == "epsilon":
            x0 = (sample - s_s * model_output) / a_s
        elif self.c["prediction_type"] == "v_prediction":
            x0 = a_s * sample - s_s * model_output
        else:
            raise ValueError(f"prediction_type {self.c['prediction_type']!r} is not supported")
        sample = sample.to(torch.float32)
        a_t, s_t = self._alpha_sigma(self.sigmas[i + 1])
        lam_t, lam_s = torch.log(a_t) - torch.log(s_t), torch.log(a_s) - torch.log(s_s)
        h = lam_t - lam_s
        last = i == n - 1  # final_sigmas_type "zero" always ends with a first-order step
        if self.previous is None or last:
            prev = (s_t / s_s) * sample - (a_t * (torch.exp(-h) - 1.0)) * x0
        else:
            a_1, s_1 = self._alpha_sigma(self.sigmas[i - 1])
            h_0 = lam_s - (torch.log(a_1) - torch.log(s_1))
            d1 = (1.0 / (h_0 / h)) * (x0 - self.previous)
            prev = (s_t / s_s) * sample - (a_t * (torch.exp(-h) - 1.0)) * x0 - 0.5 * (a_t * (torch.exp(-h) - 1.0)) * d1
        self.previous = x0
        self.step_index += 1
        return prev.to(model_output.dtype), x0

    def add_noise(self, original, noise):
        sigma = self.sigmas.to(original.dtype)[[self.begin_index]].flatten()[:, None, None, None]
        alpha_t, sigma_t = self._alpha_sigma(sigma)
        return alpha_t * original + sigma_t * noise


class Lcm(Scheduler):
    def __init__(self, kind, c, steps):
        super().__init__(kind, c)
        n, original = c["num_train_timesteps"], c["original_inference_steps"]
        k = n // original
        origin = np.asarray(list(range(1, original + 1))) * k - 1
        origin = origin[::-1].copy()
        idx = np.floor(np.linspace(0, len(origin), num=steps, endpoint=False)).astype(np.int64)
        self.timesteps = torch.from_numpy(origin[idx]).to(torch.long)
        self.final_alpha_cumprod = torch.tensor(1.0) if c["set_alpha_to_one"] else self.alphas_cumprod[0]
        self.init_noise_sigma = 1.0

    def step(self, model_output, sample, generator):
        i = self.step_index
        t = self.timesteps[i]
        prev_t = self.timesteps[i + 1] if i + 1 < len(self.timesteps) else t
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        b_t, b_prev = 1 - a_t, 1 - a_prev
        scaled = t * self.c["timestep_scaling"]
        c_skip = 0.5**2 / (scaled**2 + 0.5**2)
        c_out = scaled / (scaled**2 + 0.5**2) ** 0.5
        if self.c["prediction_type"] == "epsilon":
            x0 = (sample - b_t.sqrt() * model_output) / a_t.sqrt()
        elif self.c["prediction_type"] == "v_prediction":
            x0 = a_t.sqrt() * sample - b_t.sqrt() * model_output
        else:
            raise ValueError(f"prediction_type {self.c['prediction_type']!r} is not supported")
        if self.c["clip_sample"]:
            x0 = x0.clamp(-self.c["clip_sample_range"], self.c["clip_sample_range"])
        denoised = c_out * x0 + c_skip * sample
        if i != len(self.timesteps) - 1:
            noise = torch.randn(model_output.shape, generator=generator, dtype=denoised.dtype)
            prev = a_prev.sqrt() * denoised + b_prev.sqrt() * noise
        else:
            prev = denoised
        self.step_index += 1
        return prev, denoised

    add_noise = Ddim.add_noise


def make(kind, config, steps):
    """A fresh scheduler for one image after set_timesteps(steps)."""
    c = resolve_config(kind, config)
    cls = {"euler": EulerDiscrete, "euler-a": EulerDiscrete, "ddim": Ddim, "dpm++2m": DpmPP2M, "lcm": Lcm}[kind]
    return cls(kind, c, steps)
