package dev.pipit.index;

import dev.pipit.bench.Machine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Memory and start of one node at scale (issue 18, parts 1, 2, 7): for each n, builds a gallery of
 * n random-id 64-bit entries through the real index (write-ahead log, group commit, then a
 * snapshot, then a log tail of n/100 more puts), closes it, and reopens it in a fresh JVM: the time
 * to ready (map the snapshot, replay the tail) and, after a full GC, the heap and the resident
 * memory (VmRSS) per entry over the same JVM's baseline before opening. One line per case:
 *
 * <pre>
 * scale-bench n=… bits=64 heap_bytes_per_entry=… resident_bytes_per_entry=… ready_s=… snapshot_mb_s=… …
 * </pre>
 *
 * {@code snapshot_mb_s} is the snapshot's bytes over {@code ready_s} (load bandwidth); {@code
 * index_bytes_per_entry} is code + death mark + record offset + id table as allocated, {@code
 * text_bytes_per_entry} the records (ids, payloads). Arguments: {@code n=1000000,10000000
 * dir=target/scale-bench xmx=1g}. Each case runs two child JVMs with {@code -Xmx} = xmx.
 */
public final class ScaleBench {

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>(Map.of("n", "1000000", "dir", "target/scale-bench"));
    opts.put("xmx", "1g");
    for (String a : args) {
      int eq = a.indexOf('=');
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    if (opts.containsKey("phase")) {
      child(opts);
      return;
    }
    System.out.println(Machine.describe());
    for (String n : opts.get("n").split(",")) {
      Path dir = Path.of(opts.get("dir"), "n" + n);
      delete(dir);
      Map<String, String> built = run(opts, "build", n, dir);
      Map<String, String> opened = run(opts, "open", n, dir);
      long snapshotBytes = Long.parseLong(built.get("snapshot_bytes"));
      double ready = Double.parseDouble(opened.get("ready_s"));
      System.out.printf(
          Locale.ROOT,
          "scale-bench n=%s bits=64 heap_bytes_per_entry=%s resident_bytes_per_entry=%s"
              + " ready_s=%.3f snapshot_mb_s=%.0f snapshot_mb=%.1f index_bytes_per_entry=%s"
              + " text_bytes_per_entry=%s build_heap_bytes_per_entry=%s"
              + " build_resident_bytes_per_entry=%s ingest_codes_s=%s snapshot_write_s=%s"
              + " replayed=%s%n",
          n,
          opened.get("heap_bytes_per_entry"),
          opened.get("resident_bytes_per_entry"),
          ready,
          snapshotBytes / 1e6 / ready,
          snapshotBytes / 1e6,
          opened.get("index_bytes_per_entry"),
          opened.get("text_bytes_per_entry"),
          built.get("heap_bytes_per_entry"),
          built.get("resident_bytes_per_entry"),
          built.get("ingest_codes_s"),
          built.get("snapshot_write_s"),
          opened.get("replayed"));
      System.out.println(Machine.describe());
      delete(dir);
    }
  }

  private static Map<String, String> run(Map<String, String> opts, String phase, String n, Path dir)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A heap of fixed size, touched at start: the baseline then holds it, and the resident delta is
    // what the gallery adds (not pages of garbage the collector happened to touch).
    cmd.add("-Xmx" + opts.get("xmx"));
    cmd.add("-Xms" + opts.get("xmx"));
    cmd.add("-XX:+AlwaysPreTouch");
    // Off-heap segments count against the direct-memory limit, which defaults to -Xmx.
    cmd.add("-XX:MaxDirectMemorySize=" + opts.getOrDefault("direct", "64g"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("--add-modules=jdk.incubator.vector");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ScaleBench.class.getName());
    cmd.add("phase=" + phase);
    cmd.add("n=" + n);
    cmd.add("dir=" + dir);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Map<String, String> result = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("scale-phase ")) {
          for (String kv : line.substring(12).split(" ")) {
            int eq = kv.indexOf('=');
            result.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
        } else {
          System.err.println("  [" + phase + " " + n + "] " + line);
        }
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException(phase + " n=" + n + " failed: exit " + p.exitValue());
    }
    return result;
  }

  private static void child(Map<String, String> opts) throws Exception {
    long n = Long.parseLong(opts.get("n"));
    Path dir = Path.of(opts.get("dir"));
    IndexOptions options =
        IndexOptions.of(64, "scale-bench").withSnapshots(SnapshotPolicy.manual()).withThreads(1);
    long[] base = settled();
    Map<String, Object> out = new LinkedHashMap<>();
    HammingIndex index;
    if (opts.get("phase").equals("build")) {
      index = HammingIndex.open(dir, options);
      SplittableRandom random = new SplittableRandom(18);
      long start = System.nanoTime();
      long main = n - n / 100;
      put(index, random, main);
      double ingest = (System.nanoTime() - start) / 1e9;
      long snapStart = System.nanoTime();
      index.snapshot();
      double snapshotWrite = (System.nanoTime() - snapStart) / 1e9;
      put(index, random, n - main); // the log tail the next open replays
      out.put("ingest_codes_s", String.format(Locale.ROOT, "%.0f", main / ingest));
      out.put("snapshot_write_s", String.format(Locale.ROOT, "%.3f", snapshotWrite));
      out.put("snapshot_bytes", index.fileStats().lastSnapshotBytes());
    } else {
      long start = System.nanoTime();
      index = HammingIndex.open(dir, options);
      out.put("ready_s", String.format(Locale.ROOT, "%.3f", (System.nanoTime() - start) / 1e9));
      out.put("replayed", index.fileStats().recordsReplayed());
      if (index.size() != n) {
        throw new IllegalStateException("reopened with " + index.size() + " entries, not " + n);
      }
    }
    long[] after = settled();
    Generation g = index.generation();
    out.put("heap_bytes_per_entry", perEntry(after[0] - base[0], n));
    out.put("resident_bytes_per_entry", perEntry(after[1] - base[1], n));
    out.put(
        "index_bytes_per_entry",
        perEntry(g.hotBytes() + g.cold.offsetBytes() + g.ordinals.bytes(), n));
    out.put("text_bytes_per_entry", perEntry(g.cold.records.capacity(), n));
    StringBuilder line = new StringBuilder("scale-phase");
    out.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
    System.out.println(line);
    index.close();
  }

  private static void put(HammingIndex index, SplittableRandom random, long count) {
    HexFormat hex = HexFormat.of();
    List<Entry> batch = new ArrayList<>(10_000);
    for (long i = 0; i < count; i++) {
      long code = random.nextLong();
      batch.add(
          new Entry(hex.toHexDigits(random.nextLong()), Code.of(64, new long[] {code}), null));
      if (batch.size() == 10_000 || i == count - 1) {
        index.upsertAll(batch);
        batch.clear();
      }
    }
  }

  private static String perEntry(long bytes, long n) {
    return String.format(Locale.ROOT, "%.1f", (double) bytes / n);
  }

  /** Heap used and VmRSS after full collections (which also free unreachable off-heap chunks). */
  private static long[] settled() throws Exception {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new long[] {heap, vmRss()};
  }

  private static long vmRss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.delete(f);
      }
    }
  }
}
