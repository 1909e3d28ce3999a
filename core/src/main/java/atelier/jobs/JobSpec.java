package atelier.jobs;

/**
 * What a job does, as a validated record: {@link GenerateSpec}, {@link UpscaleSpec}, {@link
 * RecipeSpec} or {@link SweepSpec}. A queue stores a spec as its {@link #kind()} and its JSON
 * ({@link JobSpecs}) after {@link JobRunner#prepare} has fixed its seed; {@link JobRunner} runs it.
 * Specs are immutable values, safe to share.
 */
public sealed interface JobSpec permits GenerateSpec, UpscaleSpec, RecipeSpec, SweepSpec {

  /** The kind name: {@code generate}, {@code upscale}, {@code recipe} or {@code sweep}. */
  String kind();
}
