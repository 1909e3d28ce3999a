import com.oracle.labs.mlrg.sd4j.SD4J;
import com.oracle.labs.mlrg.sd4j.Schedulers;
import java.util.List;

/**
 * One sd4j text-to-image run from the command line, for the side-by-side benchmark
 * (bench/sd4j-vs-atelier.sh): loads the model through sd4j's own factory, generates one image
 * through sd4j's public {@code SD4J.generateImage(Request)} and saves it with {@code SD4J.save}.
 *
 * <p>Not part of the Maven build: bench/sd4j/prepare.sh compiles it against an sd4j build in
 * scratch space (sd4j's code is never in this repository). sd4j's own {@code CLIApp} hard-codes
 * 30 steps, a prompt and two images, so it cannot do the benchmark's work. Run it with the sd4j
 * checkout as the working folder: sd4j reads {@code text_tokenizer/custom_op_cliptok.onnx} and
 * {@code libortextensions.so} from there.
 *
 * <p>Usage: {@code Sd4jRun --model DIR --prompt TEXT --steps N --guidance G --seed S --size PX
 * --scheduler lms|euler-a --out FILE.png}. Prints the load, generation and save times on stderr.
 */
public final class Sd4jRun {
  private Sd4jRun() {}

  public static void main(String[] args) throws Exception {
    String model = null;
    String prompt = "a lighthouse on a cliff in a storm";
    String out = "sd4j.png";
    String scheduler = "lms";
    int steps = 4;
    int seed = 42;
    int size = 512;
    float guidance = 7.5f;
    for (int i = 0; i < args.length; i++) {
      if (i + 1 >= args.length) {
        usage("option " + args[i] + " needs a value");
      }
      String value = args[++i];
      switch (args[i - 1]) {
        case "--model" -> model = value;
        case "--prompt" -> prompt = value;
        case "--out" -> out = value;
        case "--scheduler" -> scheduler = value;
        case "--steps" -> steps = Integer.parseInt(value);
        case "--seed" -> seed = Integer.parseInt(value);
        case "--size" -> size = Integer.parseInt(value);
        case "--guidance" -> guidance = Float.parseFloat(value);
        default -> usage("unknown option " + args[i - 1]);
      }
    }
    if (model == null) {
      usage("--model DIR is required");
    }
    Schedulers sched =
        switch (scheduler) {
          case "lms" -> Schedulers.LMS;
          case "euler-a" -> Schedulers.EULER_ANCESTRAL;
          default -> {
            usage("--scheduler: expected lms or euler-a, found " + scheduler);
            yield null;
          }
        };
    long t0 = System.nanoTime();
    var config =
        new SD4J.SD4JConfig(model, SD4J.ExecutionProvider.CPU, 0, SD4J.ModelType.SD1_5);
    try (SD4J sd = SD4J.factory(config)) {
      long t1 = System.nanoTime();
      var request =
          new SD4J.Request(
              prompt, "", steps, guidance, seed, new SD4J.ImageSize(size), sched, 1);
      List<SD4J.SDImage> images = sd.generateImage(request);
      long t2 = System.nanoTime();
      SD4J.save(images.get(0), out);
      long t3 = System.nanoTime();
      System.err.printf(
          "sd4j-run: load %.1f s, generate %.1f s (%d steps, %s), save %.2f s -> %s%n",
          (t1 - t0) / 1e9, (t2 - t1) / 1e9, steps, sched, (t3 - t2) / 1e9, out);
    }
  }

  private static void usage(String problem) {
    System.err.println(
        "sd4j-run: "
            + problem
            + "\nusage: Sd4jRun --model DIR [--prompt TEXT] [--steps N] [--guidance G] [--seed S]"
            + " [--size PX] [--scheduler lms|euler-a] [--out FILE.png]");
    System.exit(2);
  }
}
