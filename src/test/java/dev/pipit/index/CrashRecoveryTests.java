package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue item 6: a writer in a child JVM is killed with SIGKILL at a random point mid-ingest, many
 * times over the same directory (so recovery also replays earlier crashes, snapshots and torn
 * tails). After each kill the index must open, hold every acknowledged add that was not
 * acknowledged as deleted, and hold nothing but valid entries of the writers. Two runs in three
 * also let the writer kill itself inside a snapshot: right after the log roll, or right after the
 * snapshot's rename before old segments go.
 */
class CrashRecoveryTests {

  private static final int RUNS = 15;

  /**
   * Where a run's writer kills itself, if not killed from outside first: none, or inside a
   * snapshot.
   */
  private static final String[] CRASH_POINTS = {"", "snapshot-rolled", "snapshot-written"};

  @TempDir Path dir;

  /** Applies one line of the writer's protocol; true for an acknowledged add. */
  private static boolean record(
      String line, int run, Set<String> acknowledged, Set<String> deletedThisRun) {
    String[] parts = line.split(" ");
    if (parts.length != 2) {
      return false; // a line cut by the kill
    }
    String id = "r" + run + "-" + parts[1];
    switch (parts[0]) {
      case "ACK" -> {
        acknowledged.add(id);
        return true;
      }
      case "DELETING" -> acknowledged.remove(id); // in flight: present or not, both are correct
      case "DEL" -> deletedThisRun.add(id);
      default -> {
        return false; // a line cut by the kill
      }
    }
    return false;
  }

  @Test
  void everyAcknowledgedAddSurvivesSigkill() throws Exception {
    Random rnd = new Random(20261123);
    Set<String> acknowledged = new HashSet<>();
    long tornReports = 0;
    int selfKills = 0;
    for (int run = 0; run < RUNS; run++) {
      String policy = run % 2 == 0 ? "always" : "group";
      int killAfter = rnd.nextInt(400);
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-XX:TieredStopAtLevel=1",
                  "-Xshare:auto",
                  "-Xmx96m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrashWriter.class.getName(),
                  dir.toString(),
                  Integer.toString(run),
                  policy));
      String crashPoint = CRASH_POINTS[run % CRASH_POINTS.length];
      if (!crashPoint.isEmpty()) {
        command.add(crashPoint);
        killAfter += 400; // leave time to reach the step
      }
      Process child =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      Set<String> deletedThisRun = new HashSet<>();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        assertThat(out.readLine()).as("child run %d opened the index", run).isEqualTo("OPEN");
        int acks = 0;
        String line;
        while (acks < killAfter && (line = out.readLine()) != null) {
          acks += record(line, run, acknowledged, deletedThisRun) ? 1 : 0;
        }
        // SIGKILL on Linux: no shutdown hooks, no close(). Through the handle, which (unlike
        // Process.destroyForcibly) leaves our end of the pipe open for what the writer printed.
        child.toHandle().destroyForcibly();
        if (child.waitFor() == CrashWriter.SELF_KILL) {
          selfKills++;
        }
        // The writer ran on while we read: what it printed before it died happened too (a delete
        // announced after the last line read may have removed an entry counted as present).
        while ((line = out.readLine()) != null) {
          record(line, run, acknowledged, deletedThisRun);
        }
      }

      try (HammingIndex index = HammingIndex.open(dir, CrashWriter.options(policy))) {
        tornReports += index.stats().durability().tornBytesTruncated() > 0 ? 1 : 0;
        for (String id : acknowledged) {
          Entry entry = index.get(id).orElse(null);
          assertThat(entry).as("acknowledged %s after kill in run %d", id, run).isNotNull();
          checkValid(entry);
        }
        for (String id : deletedThisRun) {
          assertThat(index.get(id)).as("acknowledged delete of %s", id).isEmpty();
        }
        // Nothing else is corrupt: every stored entry is one the writers produced, intact.
        Code probe = CrashWriter.codeOf(run, 0);
        for (SearchHit hit : index.searchRadius(probe, 128)) {
          checkValid(index.get(hit.id()).orElseThrow());
        }
        assertThat(index.size()).isGreaterThanOrEqualTo(acknowledged.size());
      }
    }
    assertThat(acknowledged).isNotEmpty();
    assertThat(selfKills).as("writers killed inside a snapshot").isPositive();
    System.out.println(
        "crash test: "
            + RUNS
            + " kills ("
            + selfKills
            + " inside a snapshot), "
            + acknowledged.size()
            + " acknowledged entries, "
            + tornReports
            + " torn tails truncated");
  }

  private static void checkValid(Entry entry) {
    String[] parts = entry.id().substring(1).split("-");
    int run = Integer.parseInt(parts[0]);
    int i = Integer.parseInt(parts[1]);
    assertThat(entry.code()).as(entry.id()).isEqualTo(CrashWriter.codeOf(run, i));
    assertThat(new String(entry.payload(), StandardCharsets.UTF_8))
        .isEqualTo("payload-" + run + "-" + i);
  }
}
