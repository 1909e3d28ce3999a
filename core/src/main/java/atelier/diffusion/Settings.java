package atelier.diffusion;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scheduler config resolved for one kind: each value from the model's config when the file has
 * the key and the kind's diffusers class takes it, else that class's default (its {@code __init__}
 * signature at the diffusers commit named in tools/diffusion/scheduler_reference.py). Values no
 * Atelier scheduler implements are rejected here, naming the key.
 */
record Settings(
    SchedulerKind kind,
    int numTrainTimesteps,
    double betaStart,
    double betaEnd,
    BetaSchedule betaSchedule,
    float[] trainedBetas,
    Prediction prediction,
    Spacing spacing,
    int stepsOffset,
    boolean clipSample,
    double clipSampleRange,
    boolean setAlphaToOne,
    boolean skipPrkSteps,
    int originalInferenceSteps,
    double timestepScaling,
    boolean rescaleBetasZeroSnr,
    boolean useKarrasSigmas,
    Double sigmaMin,
    Double sigmaMax,
    boolean finalSigmaMin,
    boolean lowerOrderFinal,
    boolean eulerAtFinal,
    boolean heunSolver,
    boolean bh1Solver) {

  enum BetaSchedule {
    LINEAR("linear"),
    SCALED_LINEAR("scaled_linear"),
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    final String key;

    BetaSchedule(String key) {
      this.key = key;
    }
  }

  enum Prediction {
    EPSILON("epsilon"),
    V_PREDICTION("v_prediction"),
    SAMPLE("sample");

    final String key;

    Prediction(String key) {
      this.key = key;
    }
  }

  enum Spacing {
    LINSPACE("linspace"),
    LEADING("leading"),
    TRAILING("trailing");

    final String key;

    Spacing(String key) {
      this.key = key;
    }
  }

  private static final List<String> COMMON =
      List.of(
          "num_train_timesteps",
          "beta_start",
          "beta_end",
          "beta_schedule",
          "trained_betas",
          "prediction_type",
          "timestep_spacing",
          "steps_offset");

  /** The keys each diffusers class reads (its __init__ parameters, plus hidden ones it reads). */
  private static final Map<String, Set<String>> ACCEPTED =
      Map.of(
          "EulerDiscreteScheduler",
          keys(
              "interpolation_type",
              "use_karras_sigmas",
              "use_exponential_sigmas",
              "use_beta_sigmas",
              "sigma_min",
              "sigma_max",
              "timestep_type",
              "rescale_betas_zero_snr",
              "final_sigmas_type"),
          "EulerAncestralDiscreteScheduler",
          keys("rescale_betas_zero_snr"),
          "DDIMScheduler",
          keys(
              "clip_sample",
              "set_alpha_to_one",
              "thresholding",
              "clip_sample_range",
              "rescale_betas_zero_snr"),
          // sigma_min/sigma_max are not DPM parameters, but its Karras conversion reads them from
          // the config when the file has them
          "DPMSolverMultistepScheduler",
          keys(
              "thresholding",
              "lower_order_final",
              "euler_at_final",
              "use_exponential_sigmas",
              "use_beta_sigmas",
              "use_lu_lambdas",
              "use_flow_sigmas",
              "final_sigmas_type",
              "lambda_min_clipped",
              "variance_type",
              "rescale_betas_zero_snr",
              "use_dynamic_shifting",
              "solver_type",
              "sigma_min",
              "sigma_max"),
          "LCMScheduler",
          keys(
              "original_inference_steps",
              "clip_sample",
              "clip_sample_range",
              "set_alpha_to_one",
              "thresholding",
              "timestep_scaling",
              "rescale_betas_zero_snr"),
          "PNDMScheduler",
          keys("skip_prk_steps", "set_alpha_to_one"),
          // Heun and DPM2 read sigma_min/sigma_max from the config for Karras sigmas when the file
          // has them (diffusers keeps a file's unknown keys in .config); LMS never does
          "HeunDiscreteScheduler",
          keys(
              "use_karras_sigmas",
              "use_exponential_sigmas",
              "use_beta_sigmas",
              "clip_sample",
              "clip_sample_range",
              "sigma_min",
              "sigma_max"),
          "LMSDiscreteScheduler",
          keys("use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas"),
          "KDPM2DiscreteScheduler",
          keys(
              "use_karras_sigmas",
              "use_exponential_sigmas",
              "use_beta_sigmas",
              "sigma_min",
              "sigma_max"),
          "UniPCMultistepScheduler",
          keys(
              "thresholding",
              "predict_x0",
              "solver_type",
              "lower_order_final",
              "disable_corrector",
              "use_exponential_sigmas",
              "use_beta_sigmas",
              "use_flow_sigmas",
              "final_sigmas_type",
              "rescale_betas_zero_snr",
              "use_dynamic_shifting"));

  private static Set<String> keys(String... own) {
    var all = new java.util.HashSet<>(COMMON);
    all.addAll(Arrays.asList(own));
    return Set.copyOf(all);
  }

  /** Whether the kind's diffusers class reads this config key. */
  static boolean accepts(SchedulerKind kind, String key) {
    return ACCEPTED.get(kind.diffusersClass()).contains(key);
  }

  /** Resolves {@code config} for {@code kind}, rejecting values Atelier does not implement. */
  static Settings resolve(SchedulerKind kind, SchedulerConfig config) {
    ConfigReader r = new ConfigReader(kind, config);
    boolean lcm = kind == SchedulerKind.LCM;
    String cls = kind.diffusersClass();
    // LCM, Heun and DPM2 default to Stable Diffusion's betas (their schedule stays linear)
    boolean sdBetas =
        lcm || cls.equals("HeunDiscreteScheduler") || cls.equals("KDPM2DiscreteScheduler");
    boolean unipc = kind == SchedulerKind.UNIPC;

    r.reject("thresholding", false, "thresholding (dynamic thresholding) is not implemented");
    r.reject("use_exponential_sigmas", false, "exponential sigmas are not implemented");
    r.reject("use_beta_sigmas", false, "beta sigmas are not implemented");
    r.reject("use_lu_lambdas", false, "Lu lambdas are not implemented");
    r.reject("use_flow_sigmas", false, "flow-matching sigmas are not implemented");
    r.reject("use_dynamic_shifting", false, "dynamic shifting is not implemented");
    r.reject(
        "predict_x0", true, "UniPC's noise-prediction form (predict_x0=false) is not implemented");
    if (r.has("disable_corrector")
        && config.floats("disable_corrector").map(f -> f.length > 0).orElse(false)) {
      throw r.unsupported(
          "disable_corrector",
          "[] (the corrector on every step)",
          Arrays.toString(config.floats("disable_corrector").get()));
    }
    r.expect("interpolation_type", "linear", List.of("linear"));
    r.expect("timestep_type", "discrete", List.of("discrete"));
    if (r.has("variance_type") && config.string("variance_type").isPresent()) {
      throw r.unsupported("variance_type", "null", config.string("variance_type").get());
    }
    if (r.has("lambda_min_clipped")) {
      double clipped = config.number("lambda_min_clipped").orElse(Double.NEGATIVE_INFINITY);
      if (clipped != Double.NEGATIVE_INFINITY) {
        throw r.unsupported("lambda_min_clipped", "-Infinity", String.valueOf(clipped));
      }
    }

    int trainSteps = r.integer("num_train_timesteps", 1000);
    if (trainSteps < 2) {
      throw r.unsupported("num_train_timesteps", "at least 2", String.valueOf(trainSteps));
    }
    float[] trainedBetas =
        r.has("trained_betas") ? config.floats("trained_betas").orElse(null) : null;
    if (trainedBetas != null && trainedBetas.length != trainSteps) {
      throw r.unsupported(
          "trained_betas",
          trainSteps + " values (num_train_timesteps)",
          trainedBetas.length + " values");
    }
    double betaStart = r.number("beta_start", sdBetas ? 0.00085 : 0.0001);
    double betaEnd = r.number("beta_end", sdBetas ? 0.012 : 0.02);
    if (trainedBetas == null && !(betaStart > 0 && betaEnd > 0 && betaStart < 1 && betaEnd < 1)) {
      throw r.unsupported("beta_start/beta_end", "values in (0, 1)", betaStart + "/" + betaEnd);
    }
    BetaSchedule schedule =
        r.choice(
            "beta_schedule",
            lcm ? BetaSchedule.SCALED_LINEAR : BetaSchedule.LINEAR,
            BetaSchedule.values(),
            b -> b.key);

    Prediction prediction = predictionFor(r, kind);
    // (LCM reads timestep_spacing but does not use it: its timesteps come from
    // original_inference_steps)
    boolean leadingDefault =
        kind == SchedulerKind.DDIM || kind == SchedulerKind.PNDM || kind == SchedulerKind.LCM;
    Spacing spacing =
        r.choice(
            "timestep_spacing",
            leadingDefault ? Spacing.LEADING : Spacing.LINSPACE,
            Spacing.values(),
            s -> s.key);

    // (classes without the key read the default, zero)
    String finalSigmas = r.expect("final_sigmas_type", "zero", List.of("zero", "sigma_min"));
    boolean finalSigmaMin = finalSigmas.equals("sigma_min");
    boolean heun = false;
    boolean bh1 = false;
    if (r.has("solver_type")) {
      // DPM-Solver maps the UniPC/DEIS solver names to midpoint, UniPC maps DPM-Solver's to bh2
      String solver =
          r.expect(
              "solver_type",
              unipc ? "bh2" : "midpoint",
              List.of("midpoint", "heun", "logrho", "bh1", "bh2"));
      heun = !unipc && solver.equals("heun");
      bh1 = unipc && solver.equals("bh1");
    }
    boolean karras =
        switch (kind) {
          case DPMPP_2M, DPMPP_2M_SDE, LMS, DPM2, UNIPC -> false;
          case DPMPP_2M_KARRAS, DPMPP_2M_SDE_KARRAS, LMS_KARRAS, DPM2_KARRAS -> true;
          default -> r.bool("use_karras_sigmas", false);
        };
    int originalSteps = r.integer("original_inference_steps", 50);
    if (lcm && (originalSteps < 1 || originalSteps > trainSteps)) {
      throw r.unsupported(
          "original_inference_steps",
          "1 to num_train_timesteps (" + trainSteps + ")",
          String.valueOf(originalSteps));
    }
    return new Settings(
        kind,
        trainSteps,
        betaStart,
        betaEnd,
        schedule,
        trainedBetas,
        prediction,
        spacing,
        r.integer("steps_offset", 0),
        r.bool("clip_sample", kind == SchedulerKind.DDIM),
        r.number("clip_sample_range", 1.0),
        r.bool("set_alpha_to_one", kind == SchedulerKind.DDIM || lcm),
        r.bool("skip_prk_steps", false),
        originalSteps,
        r.number("timestep_scaling", 10.0),
        r.bool("rescale_betas_zero_snr", false),
        karras,
        r.has("sigma_min") ? config.number("sigma_min").orElse(null) : null,
        r.has("sigma_max") ? config.number("sigma_max").orElse(null) : null,
        finalSigmaMin,
        r.bool("lower_order_final", true),
        r.bool("euler_at_final", false),
        heun,
        bh1);
  }

  private static Prediction predictionFor(ConfigReader r, SchedulerKind kind) {
    List<String> allowed =
        switch (kind) {
          // diffusers' EulerAncestral and PNDM raise for "sample"; Euler also spells it
          // "original_sample"
          // (and KDPM2 for "sample": NotImplementedError)
          case EULER_ANCESTRAL, PNDM, DPM2, DPM2_KARRAS -> List.of("epsilon", "v_prediction");
          case EULER -> List.of("epsilon", "v_prediction", "sample", "original_sample");
          default -> List.of("epsilon", "v_prediction", "sample");
        };
    String value = r.expect("prediction_type", "epsilon", allowed);
    return value.equals("original_sample")
        ? Prediction.SAMPLE
        : Arrays.stream(Prediction.values())
            .filter(p -> p.key.equals(value))
            .findFirst()
            .orElseThrow();
  }
}
