package dev.pipit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU used by processes other than the benchmark's own, from {@code /proc}: the machine is shared,
 * and a number measured while another build runs is not a number about pipit. Before each case a
 * benchmark can wait until the machine is quiet ({@link #awaitQuiet}); after it, {@link
 * #foreignCores} says how much CPU others took meanwhile, so contended samples can be told apart.
 * The benchmark's own CPU is this JVM's, its children's that have been waited for, and that of the
 * processes named.
 */
public final class CpuMonitor {

  private final List<Long> ownPids;

  /**
   * @param ownPids the benchmark's processes besides this JVM (the Python child)
   */
  public CpuMonitor(List<Long> ownPids) {
    this.ownPids = List.copyOf(ownPids);
  }

  /** Busy jiffies of the whole machine and of the benchmark's processes, now. */
  public record Sample(long machineBusy, long own, long nanos) {}

  public Sample sample() {
    long own = processJiffies(Path.of("/proc/self/stat"), true);
    for (long pid : ownPids) {
      own += processJiffies(Path.of("/proc/" + pid + "/stat"), false);
    }
    return new Sample(machineBusy(), own, System.nanoTime());
  }

  /** Mean number of cores others kept busy between two samples. */
  public static double foreignCores(Sample from, Sample to) {
    double seconds = (to.nanos - from.nanos) / 1e9;
    long foreign = (to.machineBusy - from.machineBusy) - (to.own - from.own);
    return Math.max(0, foreign / 100.0 / seconds); // USER_HZ = 100
  }

  /**
   * Waits (while the benchmark itself is idle) until others use less than {@code maxCores} over one
   * second, for at most {@code maxWaitSeconds}; returns the seconds waited, or −1 if it never got
   * quiet.
   */
  public double awaitQuiet(double maxCores, double maxWaitSeconds) throws InterruptedException {
    long start = System.nanoTime();
    while (true) {
      Sample a = sample();
      Thread.sleep(1000);
      double foreign = foreignCores(a, sample());
      double waited = (System.nanoTime() - start) / 1e9;
      if (foreign < maxCores) {
        return waited;
      }
      if (waited > maxWaitSeconds) {
        return -1;
      }
      Thread.sleep(4000);
    }
  }

  private static long machineBusy() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) { // user..steal; guest is already in user
        total += Long.parseLong(f[i]);
      }
      return total - Long.parseLong(f[4]) - Long.parseLong(f[5]); // minus idle and iowait
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long processJiffies(Path stat, boolean withReapedChildren) {
    try {
      String s = Files.readString(stat);
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      long own = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
      // cutime, cstime (fields 16, 17): children waited for, e.g. a Python harness that has exited
      return withReapedChildren ? own + Long.parseLong(f[13]) + Long.parseLong(f[14]) : own;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
