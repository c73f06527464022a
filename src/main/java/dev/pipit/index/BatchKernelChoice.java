package dev.pipit.index;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which body answers batched scans of one-word codes ({@link HammingIndex#searchBatch}, shared
 * passes of concurrent searches), chosen once per JVM and why: {@code bitsliced} ({@link
 * BitSlicedBatch}, adder trees with no popcount) or {@code popcount} (vector {@code BIT_COUNT} per
 * pair). On a CPU with AVX-512 VPOPCNTDQ the vector popcount is one instruction and the popcount
 * body wins (about 1.8× at batch 32, issue 18); without it (AVX2) the bit-sliced body wins.
 *
 * <p>{@code -Dpipit.index.batch} (or the environment variable {@code PIPIT_INDEX_BATCH}) sets it:
 * {@code auto} (the default: CPU flags from {@code /proc/cpuinfo}, else a short calibration),
 * {@code bitsliced}, {@code popcount}, or {@code calibrate} (always calibrate).
 *
 * @param kernel {@code bitsliced} or {@code popcount}
 * @param reason {@code cpu-features}, {@code calibration}, {@code setting} (forced), or {@code
 *     no-vector-api} (the scalar kernel serves; it has only a popcount batch)
 * @param detail what the reason rests on, for the log (the flag, the two timings, the setting)
 */
public record BatchKernelChoice(String kernel, String reason, String detail) {

  public static final String BITSLICED = "bitsliced";
  public static final String POPCOUNT = "popcount";

  /** The CPU flag that makes the vector popcount a single instruction. */
  static final String VPOPCNTDQ = "avx512_vpopcntdq";

  /** The choice of this JVM (made on first use, logged once by the kernel provider). */
  public static BatchKernelChoice current() {
    return KernelProvider.batchChoice();
  }

  /**
   * Nanoseconds each batch body took for the same calibration work.
   *
   * @param bitSlicedNanos best time of the bit-sliced body
   * @param popcountNanos best time of the popcount body
   */
  record Timings(long bitSlicedNanos, long popcountNanos) {}

  /**
   * The decision, free of the machine so that tests can feed it fake flags and timings.
   *
   * @param setting {@code auto}, {@code bitsliced}, {@code popcount} or {@code calibrate} (null
   *     reads as auto)
   * @param bitSlicedSupported whether the vector shape allows the bit-sliced body at all
   * @param cpuFlags the CPU's flags, or null when they cannot be read (not Linux)
   * @param calibrate times both bodies; called only when the decision needs it
   */
  static BatchKernelChoice choose(
      String setting,
      boolean bitSlicedSupported,
      Set<String> cpuFlags,
      Supplier<Timings> calibrate) {
    String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case BITSLICED -> {
        if (!bitSlicedSupported) {
          throw new IllegalStateException(
              "pipit.index.batch=bitsliced but the preferred vector is narrower than 256 bits");
        }
        return new BatchKernelChoice(BITSLICED, "setting", "pipit.index.batch=bitsliced");
      }
      case POPCOUNT -> {
        return new BatchKernelChoice(POPCOUNT, "setting", "pipit.index.batch=popcount");
      }
      case "auto", "", "calibrate" -> {
        // handled below
      }
      default ->
          throw new IllegalArgumentException(
              "pipit.index.batch must be auto, bitsliced, popcount or calibrate, was " + setting);
    }
    if (!bitSlicedSupported) {
      return new BatchKernelChoice(
          POPCOUNT, "cpu-features", "preferred vector narrower than 256 bits");
    }
    if (s.equals("calibrate") || cpuFlags == null) {
      Timings t = calibrate.get();
      String detail =
          String.format(
              Locale.ROOT,
              "bitsliced %.2f ms, popcount %.2f ms%s",
              t.bitSlicedNanos() / 1e6,
              t.popcountNanos() / 1e6,
              cpuFlags == null ? " (CPU flags unreadable)" : "");
      return new BatchKernelChoice(
          t.bitSlicedNanos() < t.popcountNanos() ? BITSLICED : POPCOUNT, "calibration", detail);
    }
    return cpuFlags.contains(VPOPCNTDQ)
        ? new BatchKernelChoice(POPCOUNT, "cpu-features", VPOPCNTDQ)
        : new BatchKernelChoice(BITSLICED, "cpu-features", "no " + VPOPCNTDQ);
  }

  /**
   * The flags of the first processor in a {@code /proc/cpuinfo} text, or null when it has none
   * (another OS, a container hiding it).
   */
  static Set<String> parseCpuFlags(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
        return Set.copyOf(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
      }
    }
    return null;
  }
}
