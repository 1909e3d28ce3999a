package atelier.diffusion;

import atelier.BadRequestException;
import java.util.Objects;

/** Makes schedulers: one fresh, stateful instance per image. Stateless and thread-safe itself. */
public final class Schedulers {
  private Schedulers() {}

  /**
   * A scheduler of {@code kind} for {@code steps} denoising steps, as diffusers' {@code
   * KindClass.from_config(config)} followed by {@code set_timesteps(steps)}. Keys the config has
   * override the class defaults; keys it lacks take the kind's class default. The kind fixes what
   * its name says: the DPM++ kinds are dpmsolver++ (or sde-dpmsolver++) of order 2 with Karras
   * sigmas off or on, whatever the config says about algorithm_type, solver_order or
   * use_karras_sigmas; UniPC is of order 2 without Karras sigmas; LMS and DPM2 have Karras sigmas
   * exactly when the kind's name says so.
   *
   * <p>With {@code options.strength() < 1} the scheduler is set up for image-to-image as diffusers'
   * img2img pipelines do it: {@link Scheduler#beginIndex()} is already set (to {@code steps −
   * int(steps·strength)}, times {@link Scheduler#order()} for Heun and DPM2, whose timestep lists
   * hold two UNet calls per step), except for LCM, which takes its steps from the shortened
   * schedule and begins at 0.
   *
   * @throws BadRequestException if the config asks for something Atelier does not implement for
   *     this kind (naming the key, expected and found), if steps is out of range for the kind, or
   *     if the strength leaves no step to take
   */
  public static Scheduler create(
      SchedulerKind kind, SchedulerConfig config, int steps, SchedulerOptions options) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(options, "options");
    if (steps < 1) {
      throw new BadRequestException("steps: expected at least 1, found " + steps);
    }
    if (options.eta() != 0 && kind != SchedulerKind.DDIM) {
      throw new BadRequestException(
          "eta: only the ddim scheduler uses eta (found eta "
              + options.eta()
              + " with "
              + kind
              + "); leave it at 0");
    }
    Settings s = Settings.resolve(kind, config);
    if (steps > s.numTrainTimesteps()) {
      throw new BadRequestException(
          "steps: expected at most num_train_timesteps ("
              + s.numTrainTimesteps()
              + "), found "
              + steps);
    }
    BaseScheduler scheduler =
        switch (kind) {
          case EULER -> EulerScheduler.create(s, steps, false);
          case EULER_ANCESTRAL -> EulerScheduler.create(s, steps, true);
          case DDIM -> DdimScheduler.create(s, steps, options.eta());
          case DPMPP_2M, DPMPP_2M_KARRAS -> DpmSolverScheduler.create(s, steps);
          case LCM -> LcmScheduler.create(s, steps, options.strength());
          case PNDM -> PndmScheduler.create(s, steps);
          case DPMPP_2M_SDE, DPMPP_2M_SDE_KARRAS -> DpmSolverScheduler.create(s, steps);
          case UNIPC -> UniPcScheduler.create(s, steps);
          case HEUN -> HeunScheduler.create(s, steps);
          case LMS, LMS_KARRAS -> LmsScheduler.create(s, steps);
          case DPM2, DPM2_KARRAS -> KDpm2Scheduler.create(s, steps);
        };
    checkSchedule(kind, s, steps, scheduler);
    if (options.strength() < 1 && kind != SchedulerKind.LCM) {
      // diffusers: timesteps[t_start · order:], two entries per step for Heun and DPM2
      scheduler.setBeginIndex(
          imageToImageStart(steps, options.strength(), kind) * scheduler.order());
    }
    return scheduler;
  }

  /**
   * The config as diffusers' Stable Diffusion pipelines hold it after loading: their constructors
   * force {@code steps_offset} to 1 and {@code clip_sample} to false on the model's own scheduler.
   * A value the file states is rewritten, so every scheduler made from the config sees the fix; a
   * key the file lacks is fixed only for the model's own scheduler class, since diffusers keeps it
   * among the defaulted values that {@code from_config} does not pass on to another class. (The LCM
   * pipelines do not do this; do not call it for them.)
   *
   * @param file the model's scheduler config
   * @param target the scheduler that will be made from the result
   */
  public static SchedulerConfig withPipelineFixes(SchedulerConfig file, SchedulerKind target) {
    boolean own =
        SchedulerKind.forConfig(file)
            .map(k -> k.diffusersClass().equals(target.diffusersClass()))
            .orElse(false);
    SchedulerConfig c = file;
    boolean offsetWrong =
        file.has("steps_offset") ? file.integer("steps_offset").orElse(0) != 1 : own;
    if (offsetWrong) {
      c = c.with("steps_offset", 1);
    }
    boolean clipOn =
        file.has("clip_sample")
            ? file.bool("clip_sample").orElse(false)
            : own && target == SchedulerKind.DDIM;
    if (clipOn) {
      c = c.with("clip_sample", false);
    }
    return c;
  }

  /**
   * Near num_train_timesteps steps some schedules break down, in diffusers too: DDIM and PNDM with
   * "leading" spacing and a steps offset reach a timestep past the end of the training noise table
   * (an IndexError there), DPM-Solver's and UniPC's spacing repeats a timestep (a zero-length step,
   * NaN), and LMS's leading spacing with an offset repeats the last training sigma (its Lagrange
   * coefficients divide by zero, NaN). Refuse such a count, naming the largest that works.
   */
  private static void checkSchedule(
      SchedulerKind kind, Settings s, int steps, BaseScheduler scheduler) {
    String problem = problem(kind, s, scheduler);
    if (problem == null) {
      return;
    }
    int most = steps - 1;
    while (most > 1 && problem(kind, s, make(kind, s, most)) != null) {
      most--;
    }
    throw new BadRequestException(
        "steps: "
            + kind
            + " with "
            + s.spacing().key
            + " timestep spacing and steps_offset "
            + s.stepsOffset()
            + " "
            + problem
            + " at "
            + steps
            + " steps; expected at most "
            + most
            + " steps with "
            + kind
            + ", found "
            + steps);
  }

  private static BaseScheduler make(SchedulerKind kind, Settings s, int steps) {
    return switch (kind) {
      case DDIM -> DdimScheduler.create(s, steps, 0);
      case PNDM -> PndmScheduler.create(s, steps);
      case UNIPC -> UniPcScheduler.create(s, steps);
      case LMS, LMS_KARRAS -> LmsScheduler.create(s, steps);
      default -> DpmSolverScheduler.create(s, steps);
    };
  }

  /** What is wrong with a made schedule, or null when it can be sampled. */
  private static String problem(SchedulerKind kind, Settings s, BaseScheduler made) {
    switch (kind) {
      case DDIM, PNDM -> {
        int train = s.numTrainTimesteps();
        double last = Double.NEGATIVE_INFINITY;
        for (double t : made.timesteps) {
          last = Math.max(last, t);
        }
        return last < train
            ? null
            : "reaches timestep "
                + (long) last
                + ", past the model's "
                + train
                + " training timesteps,";
      }
      case DPMPP_2M, DPMPP_2M_KARRAS, DPMPP_2M_SDE, DPMPP_2M_SDE_KARRAS -> {
        return ((DpmSolverScheduler) made).repeatsASigma()
            ? "repeats a timestep (a zero-length solver step)"
            : null;
      }
      case UNIPC -> {
        return ((UniPcScheduler) made).repeatsASigma()
            ? "repeats a timestep (a zero-length solver step)"
            : null;
      }
      case LMS, LMS_KARRAS -> {
        return repeats(made.sigmas(), made.timesteps.length)
            ? "repeats a sigma (its multistep coefficients divide by their differences)"
            : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** Whether two of the first {@code steps} sigmas in a row are equal. */
  private static boolean repeats(float[] sigmas, int steps) {
    for (int i = 0; i + 1 < steps; i++) {
      if (sigmas[i] == sigmas[i + 1]) {
        return true;
      }
    }
    return false;
  }

  /** A scheduler with {@link SchedulerOptions#DEFAULTS} (text-to-image, eta 0). */
  public static Scheduler create(SchedulerKind kind, SchedulerConfig config, int steps) {
    return create(kind, config, steps, SchedulerOptions.DEFAULTS);
  }

  /**
   * diffusers' img2img get_timesteps: skip {@code steps − min(int(steps·strength), steps)} steps
   * (the caller multiplies by the scheduler's order to get a timestep index).
   */
  static int imageToImageStart(int steps, double strength, SchedulerKind kind) {
    int initTimestep = Math.min((int) (steps * strength), steps);
    if (initTimestep < 1) {
      throw new BadRequestException(
          "strength: "
              + strength
              + " with "
              + steps
              + " steps leaves no denoising step for "
              + kind
              + "; expected strength >= 1/steps ("
              + (1.0 / steps)
              + ")");
    }
    return steps - initTimestep;
  }
}
