package dev.pipit.index;

import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the kernel once per JVM, like Lucene's {@code VectorizationProvider}: the Panama kernel
 * when the {@code jdk.incubator.vector} module is readable and C2 is on, else the scalar one, with
 * a log line that says how to enable it. {@code -Dpipit.index.kernel=scalar|panama} forces a choice
 * (tests, benchmarks); {@code -Dpipit.index.batch=popcount} turns off the bit-sliced batched scan
 * (benchmarks compare both).
 */
final class KernelProvider {

  private static final Logger LOG = LoggerFactory.getLogger(KernelProvider.class);

  private KernelProvider() {}

  /** The kernel chosen for this JVM. */
  static HammingKernel kernel() {
    return Holder.KERNEL;
  }

  /** The scalar kernel, always available. */
  static HammingKernel scalar() {
    return Holder.SCALAR;
  }

  /** The Panama kernel, or {@code null} when the Vector API is not available. */
  static HammingKernel panamaOrNull() {
    return Holder.PANAMA;
  }

  private static final class Holder {
    static final HammingKernel SCALAR = new ScalarKernel();
    static final HammingKernel PANAMA = loadPanama();
    static final HammingKernel KERNEL = choose();

    private static HammingKernel choose() {
      String forced = System.getProperty("pipit.index.kernel", "auto");
      HammingKernel chosen =
          switch (forced) {
            case "scalar" -> SCALAR;
            case "panama" -> {
              if (PANAMA == null) {
                throw new IllegalStateException(
                    "-Dpipit.index.kernel=panama but the Vector API is unavailable");
              }
              yield PANAMA;
            }
            default -> PANAMA != null ? PANAMA : SCALAR;
          };
      LOG.info("Hamming kernel: {}", chosen.name());
      return chosen;
    }

    private static HammingKernel loadPanama() {
      if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
        LOG.warn(
            "Vector API not loaded: Hamming scans use the scalar kernel. "
                + "Start the JVM with --add-modules jdk.incubator.vector for the SIMD kernel.");
        return null;
      }
      if (Boolean.FALSE.equals(isC2Enabled())) {
        LOG.warn(
            "C2 compiler is off (-XX:TieredStopAtLevel): the Vector API would be slow; "
                + "using the scalar kernel.");
        return null;
      }
      try {
        if (!PanamaKernel.supported()) {
          LOG.warn("Preferred vector width does not fit the code layout; using the scalar kernel.");
          return null;
        }
        boolean bitSliced =
            BitSlicedBatch.supported()
                && !"popcount".equals(System.getProperty("pipit.index.batch"));
        LOG.info("Batched scans of one-word codes: {}", bitSliced ? "bit-sliced" : "popcount");
        return new PanamaKernel(bitSliced);
      } catch (LinkageError e) {
        LOG.warn("Vector API failed to load (" + e + "); using the scalar kernel.");
        return null;
      }
    }

    private static Boolean isC2Enabled() {
      String level =
          ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
              .filter(a -> a.startsWith("-XX:TieredStopAtLevel="))
              .findFirst()
              .orElse(null);
      return level == null ? null : level.endsWith("=4");
    }
  }
}
