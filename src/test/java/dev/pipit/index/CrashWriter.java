package dev.pipit.index;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * The child process of {@link CrashRecoveryTests}: opens the index, adds entries {@code r<run>-<i>}
 * with codes from {@link #codeOf} as fast as it can, deletes some, snapshots now and then (by hand,
 * and in the background every 60 records), and prints {@code ACK <i>} / {@code DEL <i>} after each
 * call returns (is acknowledged), and {@code DELETING <i>} before a delete, until it is killed.
 * With a snapshot step as fourth argument it also kills itself ({@code Runtime.halt}: no hooks, no
 * close) at a random pass through that step.
 */
public final class CrashWriter {

  /** Exit status of a writer that killed itself inside a snapshot (SIGKILL gives 137). */
  static final int SELF_KILL = 77;

  private CrashWriter() {}

  static Code codeOf(int run, int i) {
    Random rnd = new Random(run * 1_000_003L + i);
    return Code.of(128, rnd.nextLong(), rnd.nextLong());
  }

  static IndexOptions options(String policy) {
    return IndexOptions.of(128, "crash-model")
        .withFsync(policy.equals("always") ? FsyncPolicy.always() : FsyncPolicy.group(2))
        .withThreads(1)
        .withSnapshots(new SnapshotPolicy(60, 0, Duration.ZERO));
  }

  public static void main(String[] args) throws Exception {
    // Stdout is the protocol to the checker; the index's log lines (slf4j's console) go to stderr.
    PrintStream out = System.out;
    System.setOut(System.err);
    Path dir = Path.of(args[0]);
    int run = Integer.parseInt(args[1]);
    Random rnd = new Random(run);
    if (args.length > 3) {
      Random crash = new Random(run + 1);
      HammingIndex.crashPoint =
          point -> {
            if (point.equals(args[3]) && crash.nextInt(4) == 0) {
              Runtime.getRuntime().halt(CrashWriter.SELF_KILL);
            }
          };
    }
    try (HammingIndex index = HammingIndex.open(dir, options(args[2]), 16 * 1024)) {
      out.println("OPEN");
      out.flush();
      for (int i = 0; ; i++) {
        byte[] payload = ("payload-" + run + "-" + i).getBytes(StandardCharsets.UTF_8);
        index.add("r" + run + "-" + i, codeOf(run, i), payload);
        out.println("ACK " + i);
        if (i > 10 && rnd.nextInt(10) == 0) {
          int victim = i - 1 - rnd.nextInt(10);
          if (index.get("r" + run + "-" + victim).isPresent()) {
            // Announced first: if the writer dies between the delete and its DEL line, the delete
            // may or
            // may not have happened, and the checker must not count the entry as acknowledged
            // present.
            out.println("DELETING " + victim);
            out.flush();
            index.delete("r" + run + "-" + victim);
            out.println("DEL " + victim);
          }
        }
        if (rnd.nextInt(150) == 0) {
          index.snapshot();
        }
        out.flush();
      }
    }
  }
}
