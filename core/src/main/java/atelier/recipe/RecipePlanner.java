package atelier.recipe;

import atelier.BadRequestException;
import atelier.image.basemap.BasemapChain;
import atelier.image.basemap.BasemapOp;
import atelier.model.ModelHasher;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.InitImage;
import atelier.text.library.PromptExpander;
import atelier.text.library.PromptLibrary;
import atelier.text.library.PromptTemplate;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Turns a recipe and the caller's inputs into generation jobs, without a model: parameters are
 * resolved (defaults, {@code --set}, {@code --text}, {@code --input}), the seed fixed, the prompt
 * expanded with the library, the basemap chain filled in and drawn, and the generation size chosen.
 * Planning is what {@code recipe run --dry-run} shows. Thread-safe.
 */
public final class RecipePlanner {
  private static final SecureRandom SEEDS = new SecureRandom();

  private final PromptLibrary library;

  /** A planner drawing prompt words from a library. */
  public RecipePlanner(PromptLibrary library) {
    this.library = library;
  }

  /**
   * Plans a recipe run.
   *
   * @param outDir where the basemap files will be written (their paths go into the requests)
   * @throws BadRequestException naming the recipe and what is missing or wrong
   */
  public List<Job> plan(Recipe r, RecipeInputs in, Path outDir) {
    PromptTemplate template = template(r);
    Map<String, String> params = RecipeParams.resolve(r, in, template);
    long seed =
        in.seed() != null
            ? in.seed()
            : r.generate().seed() != null ? r.generate().seed() : SEEDS.nextLong() & 0xFFFF_FFFFL;
    BufferedImage photo = null;
    String photoSha = null;
    if (r.input() == Recipe.Input.IMAGE || (r.optionalPicture() && in.input() != null)) {
      byte[] bytes = Jobs.readBytes(in.input());
      photo = Jobs.decode(in.input(), bytes);
      photoSha = ModelHasher.sha256Of(bytes);
    }
    List<String> items =
        r.series() == null ? java.util.Collections.singletonList(null) : r.series().items();
    List<Job> jobs = new ArrayList<>();
    Job previous = null;
    for (int k = 0; k < items.size(); k++) {
      Map<String, String> p = new LinkedHashMap<>(params);
      if (r.series() != null) {
        p.put(r.series().param(), items.get(k));
      }
      long s =
          r.series() != null && r.series().seed() == Recipe.Series.SeedMode.INCREMENT
              ? (seed + k) & 0xFFFF_FFFFL
              : seed;
      String name =
          r.series() == null ? r.name() : String.format(Locale.ROOT, "%s-%03d", r.name(), k + 1);
      PromptExpander.Expansion prompt =
          new PromptExpander(library)
              .expand(template, RecipeParams.slots(library, r, p), r.prompt().picks(), s);
      BasemapChain chain = chain(r, p, in);
      BufferedImage basemap = null;
      byte[] png = null;
      Path file = null;
      String sha = null;
      if (photo != null || !chain.isEmpty()) {
        if (photo == null && !chain.startsWithSource()) {
          throw new BadRequestException(
              "recipe "
                  + r.name()
                  + ".basemap: expected a first step that makes an image (canvas) or input: image,"
                  + " found "
                  + chain.ops().get(0).kind().opName());
        }
        if (previous != null && previous.provenance().basemap().steps().equals(chain.specs())) {
          // Items that do not change the chain share one basemap (and one file).
          basemap = previous.basemap();
          png = previous.basemapPng();
          sha = previous.provenance().basemap().sha256();
          file = previous.basemapFile();
        } else {
          basemap = chain.apply(photo);
          png = Jobs.basemapPng(basemap, chain, in.input(), photoSha);
          sha = ModelHasher.sha256Of(png);
          file = outDir.resolve(name + "-basemap.png");
        }
      }
      int[] size = size(r, basemap);
      Recipe.Generate g = r.generate();
      InitImage init = basemap == null ? null : new InitImage(basemap, file.toString(), sha);
      Double strength = basemap == null ? null : g.strength();
      atelier.pipeline.Inpaint inpaint = null;
      List<String> notes = new ArrayList<>();
      if (r.extend() != null && basemap != null) {
        int[] at = size != null ? size : new int[] {basemap.getWidth(), basemap.getHeight()};
        double finalAspect =
            r.upscale() != null && r.upscale().fit() == atelier.image.Resize.Fit.COVER
                ? (double) r.upscale().width() / r.upscale().height()
                : 0;
        RecipeExtend.Plan e = RecipeExtend.plan(r.extend(), init, at[0], at[1], finalAspect);
        init = e.init();
        inpaint = e.inpaint();
        strength = e.strength();
        notes.add(e.note());
      }
      GenerationRequest request =
          GenerationRequest.builder(prompt.text())
              .negativePrompt(prompt.negative())
              .size(size == null ? null : size[0], size == null ? null : size[1])
              .steps(g.steps())
              .guidance(g.guidance())
              .scheduler(g.scheduler())
              .eta(g.eta())
              .seed(s)
              .batch(g.batch())
              .init(init)
              .strength(strength)
              .fit(g.fit())
              .inpaint(inpaint)
              .build();
      Provenance prov =
          new Provenance(
              new Provenance.RecipeRef(r.name(), r.version(), Recipe.FORMAT, r.source()),
              p,
              new Provenance.PromptRef(
                  r.prompt().template() != null ? r.prompt().template() : r.prompt().text(),
                  s,
                  prompt.choices()),
              basemap == null
                  ? null
                  : new Provenance.BasemapRef(
                      in.input() == null ? null : in.input().toString(),
                      in.input() == null ? null : Jobs.fileSha(in.input()),
                      chain.specs(),
                      file.toString(),
                      sha),
              r.upscale(),
              null,
              r.select(),
              null,
              r.series() == null
                  ? null
                  : new Provenance.SeriesRef(k + 1, items.size(), items.get(k)),
              null);
      Job job = new Job(name, request, basemap, png, file, prov, notes);
      jobs.add(job);
      previous = basemap == null ? null : job;
    }
    return jobs;
  }

  /** The recipe's template, or its pattern as an unnamed template. */
  private PromptTemplate template(Recipe r) {
    Recipe.PromptSpec ps = r.prompt();
    PromptTemplate t =
        ps.template() != null
            ? library.template(ps.template())
            : new PromptTemplate("pattern", "", ps.text(), "", Map.of());
    if (ps.negative() != null) {
      t = new PromptTemplate(t.name(), t.description(), t.text(), ps.negative(), t.defaults());
    }
    return t;
  }

  /** The basemap chain with placeholders filled. */
  private BasemapChain chain(Recipe r, Map<String, String> p, RecipeInputs in) {
    List<BasemapOp> ops = new ArrayList<>();
    for (int i = 0; i < r.basemap().size(); i++) {
      Recipe.Step step = r.basemap().get(i);
      Map<String, String> args = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : step.args().entrySet()) {
        Matcher m = RecipeReader.PLACEHOLDER.matcher(e.getValue());
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
          String key = m.group().substring(1, m.group().length() - 1);
          String v = p.get(key);
          if (v == null) {
            throw new BadRequestException(
                "recipe "
                    + r.name()
                    + ".basemap["
                    + i
                    + "]."
                    + e.getKey()
                    + ": {"
                    + key
                    + "}: expected a parameter ("
                    + String.join(", ", p.keySet())
                    + "), found none");
          }
          m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        args.put(e.getKey(), sb.toString());
      }
      try {
        ops.add(step.kind().create(args));
      } catch (BadRequestException e) {
        throw new BadRequestException(
            "recipe " + r.name() + ".basemap[" + i + "]: " + e.getMessage(), e);
      }
    }
    return new BasemapChain(ops);
  }

  /** The generation size: explicit, or model-friendly with the target's aspect, or unset. */
  static int[] size(Recipe r, BufferedImage basemap) {
    Recipe.Generate g = r.generate();
    if (g.width() != null) {
      return new int[] {g.width(), g.height()};
    }
    if (g.base() == null) {
      return null;
    }
    double aspect =
        r.upscale() != null
            ? (double) r.upscale().width() / r.upscale().height()
            : basemap != null ? (double) basemap.getWidth() / basemap.getHeight() : 1;
    return friendly(g.base(), aspect);
  }

  /**
   * Image sides Stable Diffusion's UNets can run: they halve the latents three times, so sides must
   * be multiples of 64 pixels (a model needing less, like the tiny test models, runs these too).
   */
  public static final int SIZE_MULTIPLE = 64;

  /**
   * A size with the given aspect whose short side is {@code base} and whose sides are rounded to
   * multiples of {@link #SIZE_MULTIPLE}, as SD UNets need (a 128 base with a 3:4 photo once planned
   * 128 × 168, which the UNet cannot run).
   */
  public static int[] friendly(int base, double aspect) {
    int step = SIZE_MULTIPLE;
    int limit = GenerationRequest.MAX_SIDE / step * step;
    int shortSide = Math.min(limit, Math.max(step, (int) Math.round((double) base / step) * step));
    int longSide =
        Math.max(
            shortSide, (int) Math.round(shortSide * Math.max(aspect, 1 / aspect) / step) * step);
    longSide = Math.min(longSide, limit);
    return aspect >= 1 ? new int[] {longSide, shortSide} : new int[] {shortSide, longSide};
  }
}
