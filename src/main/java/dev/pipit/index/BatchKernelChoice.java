package dev.pipit.index;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Which body answers batched scans of one-word codes ({@link HammingIndex#searchBatch}, shared
 * passes of concurrent searches), chosen once per JVM and why: {@code bitsliced} ({@link
 * BitSlicedBatch}, adder trees with no popcount) or {@code popcount} (vector {@code BIT_COUNT} per
 * pair). On a CPU with AVX-512 VPOPCNTDQ the vector popcount is one instruction and the popcount
 * body wins (about 1.8× at batch 32, issue 18); without it (AVX2) the bit-sliced body wins.
 *
 * <p>{@code -Dpipit.index.batch} (or the environment variable {@code PIPIT_INDEX_BATCH}) sets it:
 * {@code auto} (the default: CPU flags from {@code /proc/cpuinfo}), {@code bitsliced} or {@code
 * popcount}. Where the flags cannot be read (not Linux, a container hiding them) auto keeps the
 * bit-sliced body: it is never far off (0.55–0.62× the popcount body where VPOPCNTQ exists,
 * 1.4–1.9× it where it does not; docs/benchmarks.md). There is no start-up calibration: timing both
 * bodies in a cold JVM compared interpreted code (the budget ended before C2 compiled them) and
 * picked the wrong body on this AVX-512 machine three times in three; a trustworthy one needs
 * seconds of warm-up and alternating rounds on a quiet core, which a service start cannot promise.
 *
 * @param kernel {@code bitsliced} or {@code popcount}
 * @param reason {@code cpu-features}, {@code default} (flags unreadable), {@code setting} (forced),
 *     or {@code no-vector-api} (the scalar kernel serves; it has only a popcount batch)
 * @param detail what the reason rests on, for the log (the flag, the setting)
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
   * The decision, free of the machine so that tests can feed it fake flags and timings.
   *
   * @param setting {@code auto}, {@code bitsliced} or {@code popcount} (null reads as auto)
   * @param bitSlicedSupported whether the vector shape allows the bit-sliced body at all
   * @param cpuFlags the CPU's flags, or null when they cannot be read (not Linux)
   */
  static BatchKernelChoice choose(
      String setting, boolean bitSlicedSupported, Set<String> cpuFlags) {
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
      case "auto", "" -> {
        // handled below
      }
      default ->
          throw new IllegalArgumentException(
              "pipit.index.batch must be auto, bitsliced or popcount, was " + setting);
    }
    if (!bitSlicedSupported) {
      return new BatchKernelChoice(
          POPCOUNT, "cpu-features", "preferred vector narrower than 256 bits");
    }
    if (cpuFlags == null) {
      return new BatchKernelChoice(BITSLICED, "default", "CPU flags unreadable");
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
