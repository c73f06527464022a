package dev.pipit.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool the observability and deployment tests run (promtool, yamllint, kubectl,
 * python3, docker compose). A missing tool fails the test with the command that installs it: never
 * a skip.
 */
public record Tool(int exitCode, String output) {

  static final String INSTALL =
      "missing: run bin/fetch-assets --test (installs Debian prometheus, yamllint, kubectl)";

  /** Runs {@code command} in {@code dir}, feeding it {@code stdin} (may be null), within 2 min. */
  public static Tool run(Path dir, String stdin, List<String> command)
      throws IOException, InterruptedException {
    Process process;
    try {
      process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      throw new AssertionError(command.getFirst() + " " + INSTALL, notInstalled);
    }
    if (stdin != null) {
      try (var in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } else {
      process.getOutputStream().close();
    }
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 2 minutes");
    }
    return new Tool(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Runs {@code command} in the project directory. */
  public static Tool run(String... command) throws IOException, InterruptedException {
    return run(Path.of("").toAbsolutePath(), null, List.of(command));
  }

  /** A description for assertion messages: the command's output. */
  public String describe() {
    return "exit " + exitCode + ":\n" + output;
  }
}
