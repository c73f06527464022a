package dev.pipit.cli;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The pipit git revision a run was made from, for provenance; "unknown" outside a checkout. */
final class GitRevision {

  private GitRevision() {}

  static String current() {
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD")
              .redirectErrorStream(true)
              .start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return git.waitFor(5, TimeUnit.SECONDS) && git.exitValue() == 0 ? out : "unknown";
    } catch (Exception e) {
      return "unknown";
    }
  }
}
