package atelier.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Usage errors (unknown options or commands, bad option values) as one line and exit 2: what was
 * wrong, the closest real names when one is close, and where the full usage is. picocli's default
 * prints the whole usage (60 lines for generate) and suggests by prefix alone ({@code --clip} for
 * {@code --clip-skip}).
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
  /** Exit code for a bad request or usage (README "Exit codes"). */
  static final int EXIT_USAGE = 2;

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    CommandSpec spec = cmd.getCommandSpec();
    String see = "see " + spec.qualifiedName() + " --help";
    String message = ex.getMessage();
    if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String arg = u.getUnmatched().get(0);
      if (arg.startsWith("-")) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        message = "unknown option " + name + closest(name, optionNames(spec));
      } else if (!spec.subcommands().isEmpty()) {
        message =
            "unknown command '"
                + arg
                + "' for "
                + spec.qualifiedName()
                + closest(arg, new ArrayList<>(spec.subcommands().keySet()));
      } else {
        message = "unexpected argument '" + arg + "'";
      }
    }
    Terminal.of(cmd).error("bad_request", message + "; " + see);
    return EXIT_USAGE;
  }

  private static List<String> optionNames(CommandSpec spec) {
    List<String> names = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        names.addAll(List.of(o.names()));
      }
    }
    return names;
  }

  /**
   * "; closest: a, b" with up to three names that are a small edit away (typos, swapped letters) or
   * that start with what was typed (at least three letters of it), else "".
   */
  static String closest(String typed, List<String> names) {
    String t = bare(typed);
    List<String> close = new ArrayList<>();
    for (String n : names) {
      String b = bare(n);
      int d = distance(t, b);
      boolean prefix = t.length() >= 3 && b.startsWith(t);
      if (prefix || d <= Math.max(1, Math.min(3, b.length() / 4))) {
        close.add(n);
      }
    }
    close.sort(Comparator.comparingInt((String n) -> distance(t, bare(n))).thenComparing(n -> n));
    List<String> top = close.stream().distinct().limit(3).toList();
    return top.isEmpty() ? "" : "; closest: " + String.join(", ", top);
  }

  private static String bare(String name) {
    return name.replaceFirst("^-+", "").toLowerCase(Locale.ROOT);
  }

  /** Optimal string alignment distance: edits, with a swap of neighbours counting one. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
