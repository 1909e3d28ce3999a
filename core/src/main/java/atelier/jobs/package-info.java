/**
 * The job layer every front end calls: job specs ({@link atelier.jobs.GenerateSpec}, {@link
 * atelier.jobs.UpscaleSpec}, {@link atelier.jobs.RecipeSpec}, {@link atelier.jobs.SweepSpec})
 * validated as records and stored as JSON ({@link atelier.jobs.JobSpecs}); {@link
 * atelier.jobs.JobRunner}, which prepares a spec at submission (fixing its seed) and runs it with
 * progress, cancellation and an {@link atelier.jobs.OutputSink} that receives each image as soon as
 * it is made; {@link atelier.jobs.ModelCache}, loaded models kept warm between jobs under a memory
 * budget and never closed while leased; {@link atelier.jobs.ModelResolver}, which turns a model
 * reference into a folder (pulling a catalog model when allowed).
 */
package atelier.jobs;
