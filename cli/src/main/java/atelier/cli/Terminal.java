package atelier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How a command talks to its user: human text on a terminal, or one JSON document on standard
 * output with {@code --json} (errors included), so scripts never parse prose.
 */
final class Terminal {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Commands with a {@code --json} switch. */
  interface JsonAware {
    boolean json();
  }

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;

  private Terminal(PrintWriter out, PrintWriter err, boolean json) {
    this.out = out;
    this.err = err;
    this.json = json;
  }

  static Terminal of(CommandLine commandLine) {
    Object command = commandLine.getCommand();
    boolean json = command instanceof JsonAware j && j.json();
    return new Terminal(commandLine.getOut(), commandLine.getErr(), json);
  }

  /** Reports a failure: a one-line message on standard error, or a JSON error document. */
  void error(String kind, String message) {
    if (json) {
      ObjectNode root = JSON.createObjectNode();
      ObjectNode e = root.putObject("error");
      e.put("kind", kind);
      e.put("message", message);
      out.println(root.toString());
      out.flush();
    } else {
      err.println("atelier: " + message);
      err.flush();
    }
  }
}
