package atelier.recipe;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.image.Resize;
import atelier.image.basemap.OpKind;
import atelier.image.basemap.OpSyntax;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The checks of a recipe's basemap, generate, upscale, select and series sections. */
final class RecipeSections {
  private RecipeSections() {}

  static List<Recipe.Step> basemap(TreeCheck c, JsonNode root) {
    List<Recipe.Step> out = new ArrayList<>();
    JsonNode bm = root.get("basemap");
    if (bm == null || bm.isNull()) {
      return out;
    }
    if (!bm.isArray()) {
      c.error("recipe.basemap", "a list of steps", bm);
      return out;
    }
    for (int i = 0; i < bm.size(); i++) {
      String path = "recipe.basemap[" + i + "]";
      JsonNode s = bm.get(i);
      String opName;
      Map<String, String> named = new LinkedHashMap<>();
      List<String> bare = List.of();
      if (s.isTextual()) {
        try {
          OpSyntax.Parsed parsed = OpSyntax.parse(s.asText());
          opName = parsed.name();
          named.putAll(parsed.named());
          bare = parsed.positional();
        } catch (BadRequestException e) {
          c.error(path + ": " + e.getMessage());
          continue;
        }
      } else if (s.isObject()) {
        if (!s.has("op")) {
          c.error(path + ".op", "an op name", null);
          continue;
        }
        opName = s.get("op").asText();
        boolean ok = true;
        for (var it = s.fields(); it.hasNext(); ) {
          var e = it.next();
          if (e.getKey().equals("op")) {
            continue;
          }
          if (!e.getValue().isValueNode() || e.getValue().isNull()) {
            c.error(path + "." + e.getKey(), "a value", e.getValue());
            ok = false;
          } else {
            named.put(e.getKey(), e.getValue().asText());
          }
        }
        if (!ok) {
          continue;
        }
      } else {
        c.error(path, "an op as text (name:key=value,…) or a map with op", s);
        continue;
      }
      OpKind kind;
      try {
        kind = OpKind.lookup(opName);
      } catch (BadRequestException e) {
        c.error(path + ".op: " + e.getMessage().substring(e.getMessage().indexOf("expected")));
        continue;
      }
      if (bare.size() > kind.positional().size()) {
        c.error(
            path
                + ": expected at most "
                + kind.positional().size()
                + " unnamed values ("
                + String.join(", ", kind.positional())
                + "), found "
                + bare.size());
        continue;
      }
      Map<String, String> args = new LinkedHashMap<>();
      for (int k = 0; k < bare.size(); k++) {
        args.put(kind.positional().get(k), bare.get(k));
      }
      args.putAll(named);
      if (i > 0 && kind.isSource()) {
        c.error(
            path
                + ".op: expected "
                + kind.opName()
                + " only as the first step, found it at "
                + (i + 1));
        continue;
      }
      // Steps without placeholders are checked in full now; the rest when they are filled.
      if (args.values().stream().noneMatch(v -> RecipeReader.PLACEHOLDER.matcher(v).find())) {
        try {
          kind.create(args);
        } catch (BadRequestException e) {
          c.error(path + ": " + e.getMessage());
          continue;
        }
      }
      out.add(new Recipe.Step(kind, args));
    }
    return out;
  }

  static Recipe.Generate generate(TreeCheck c, JsonNode root) {
    JsonNode g = c.object(root, "generate", "recipe", false);
    if (g == null) {
      return Recipe.Generate.DEFAULT;
    }
    String p = "recipe.generate";
    c.keys(g, p, RecipeReader.GENERATE_KEYS);
    Integer w = side(c, g, "width", p);
    Integer h = side(c, g, "height", p);
    if ((w == null) != (h == null) && c.ok()) {
      c.error(
          p
              + ": expected both width and height or neither, found only "
              + (w == null ? "height" : "width"));
    }
    Integer base = side(c, g, "base", p);
    Integer batch = c.integer(g, "batch", p, 1, 64);
    return new Recipe.Generate(
        w,
        h,
        base,
        c.integer(g, "steps", p, 1, 1000),
        c.number(g, "guidance", p, 0, 100),
        c.choice(g, "scheduler", p, SchedulerKind::lookup, null),
        c.number(g, "eta", p, 0, 1),
        strength(c, g, p),
        c.longValue(g, "seed", p, 0, 0xFFFF_FFFFL),
        batch == null ? 1 : batch,
        c.choice(g, "fit", p, Resize.Fit::lookup, null));
  }

  private static Double strength(TreeCheck c, JsonNode g, String p) {
    Double s = c.number(g, "strength", p, 0, 1);
    if (s != null && s == 0) {
      c.error(p + ".strength", "more than 0 and at most 1", g.get("strength"));
      return null;
    }
    return s;
  }

  private static Integer side(TreeCheck c, JsonNode g, String key, String p) {
    Integer v = c.integer(g, key, p, 8, 8192);
    if (v != null && v % 8 != 0) {
      c.error(p + "." + key, "a multiple of 8", g.get(key));
      return null;
    }
    return v;
  }

  static Recipe.Upscale upscale(TreeCheck c, JsonNode root) {
    JsonNode u = c.object(root, "upscale", "recipe", false);
    if (u == null) {
      return null;
    }
    String p = "recipe.upscale";
    c.keys(u, p, RecipeReader.UPSCALE_KEYS);
    Integer w = c.integer(u, "width", p, 8, 16384);
    Integer h = c.integer(u, "height", p, 8, 16384);
    if (u.get("width") == null || u.get("height") == null) {
      c.error(
          p
              + ": expected width and height, found "
              + (u.get("width") == null ? "no width" : "no height"));
    }
    String method = c.string(u, "method", p, false, "auto");
    if (!method.equals("auto") && !method.equals("lanczos")) {
      c.error(p + ".method", "one of auto, lanczos", u.get("method"));
    }
    Resize.Fit fit = c.choice(u, "fit", p, Resize.Fit::lookup, Resize.Fit.COVER);
    return w == null || h == null ? null : new Recipe.Upscale(w, h, method, fit);
  }

  static Recipe.Select select(TreeCheck c, JsonNode root) {
    JsonNode s = c.object(root, "select", "recipe", false);
    if (s == null) {
      return Recipe.Select.KEEP_ALL;
    }
    String p = "recipe.select";
    c.keys(s, p, RecipeReader.SELECT_KEYS);
    Recipe.Select.Keep keep =
        c.choice(s, "keep", p, Recipe.Select.Keep::lookup, Recipe.Select.Keep.ALL);
    Integer count = c.integer(s, "count", p, 1, 64);
    return new Recipe.Select(keep, count == null ? 1 : count, c.string(s, "by", p, false, null));
  }

  static Recipe.Series series(TreeCheck c, JsonNode root) {
    JsonNode s = c.object(root, "series", "recipe", false);
    if (s == null) {
      return null;
    }
    String p = "recipe.series";
    c.keys(s, p, RecipeReader.SERIES_KEYS);
    List<String> items = c.strings(s, "items", p);
    if (items == null || items.isEmpty()) {
      c.error(p + ".items", "a list of at least one item", s.get("items"));
      return null;
    }
    return new Recipe.Series(
        c.string(s, "param", p, false, "subject"),
        items,
        c.choice(s, "seed", p, Recipe.Series.SeedMode::lookup, Recipe.Series.SeedMode.SAME));
  }

  static Recipe.Control control(TreeCheck c, JsonNode root) {
    JsonNode n = c.object(root, "control", "recipe", false);
    if (n == null) {
      return null;
    }
    String p = "recipe.control";
    c.keys(n, p, RecipeReader.CONTROL_KEYS);
    String net = c.string(n, "net", p, true, null);
    String pre = c.string(n, "preprocess", p, false, null);
    if (pre != null) {
      try {
        atelier.pipeline.ControlPreprocessor.parse(pre);
      } catch (atelier.BadRequestException e) {
        c.error(p + ".preprocess", atelier.pipeline.ControlPreprocessor.NAMES, n.get("preprocess"));
      }
    }
    Double scale = c.number(n, "scale", p, 0, atelier.pipeline.ControlInput.MAX_SCALE);
    Double end = c.number(n, "end", p, 0, 1);
    if (end != null && end == 0) {
      c.error(p + ".end", "more than 0 and at most 1", n.get("end"));
    }
    return net == null
        ? null
        : new Recipe.Control(net, pre, scale == null ? 1.0 : scale, end == null ? 1.0 : end);
  }

  static Recipe.Extend extend(TreeCheck c, JsonNode root) {
    JsonNode n = c.object(root, "extend", "recipe", false);
    if (n == null) {
      return null;
    }
    String p = "recipe.extend";
    c.keys(n, p, RecipeReader.EXTEND_KEYS);
    Recipe.Extend d = Recipe.Extend.DEFAULT;
    Recipe.Extend.Method method =
        c.choice(n, "method", p, Recipe.Extend.Method::lookup, d.method());
    Double strength = c.number(n, "strength", p, 0, 1);
    if (strength != null && strength == 0) {
      c.error(p + ".strength", "more than 0 and at most 1", n.get("strength"));
    }
    Integer blur = c.integer(n, "blur", p, 0, 64);
    String fill = c.string(n, "fill", p, false, d.fill());
    try {
      fill = atelier.pipeline.InpaintSettings.Fill.lookup(fill).cliName();
    } catch (atelier.BadRequestException e) {
      c.error(p + ".fill", "one of fill, original, noise, nothing", n.get("fill"));
    }
    return new Recipe.Extend(
        method, strength == null ? d.strength() : strength, blur == null ? d.blur() : blur, fill);
  }
}
