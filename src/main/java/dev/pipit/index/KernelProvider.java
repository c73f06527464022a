package dev.pipit.index;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the kernel once per JVM, like Lucene's {@code VectorizationProvider}: the Panama kernel
 * when the {@code jdk.incubator.vector} module is readable and C2 is on, else the scalar one, with
 * a log line that says how to enable it. {@code -Dpipit.index.kernel=scalar|panama} forces a choice
 * (tests, benchmarks). The batched scan's body is chosen per machine by {@link BatchKernelChoice}
 * (CPU flags; {@code -Dpipit.index.batch=bitsliced|popcount} forces one).
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

  /** How batched scans of one-word codes are answered in this JVM, and why. */
  static BatchKernelChoice batchChoice() {
    HammingKernel chosen = Holder.KERNEL;
    return chosen == Holder.PANAMA
        ? Holder.BATCH
        : new BatchKernelChoice(
            BatchKernelChoice.POPCOUNT, "no-vector-api", "the " + chosen.name() + " kernel serves");
  }

  private static final class Holder {
    static final HammingKernel SCALAR = new ScalarKernel();

    /** The batch body of the Panama kernel; null with {@link #PANAMA}. */
    static final BatchKernelChoice BATCH;

    static final HammingKernel PANAMA;

    static {
      BatchKernelChoice batch = null;
      HammingKernel panama = null;
      try {
        if (vectorApiUsable()) {
          batch = chooseBatch();
          panama = new PanamaKernel(batch.kernel().equals(BatchKernelChoice.BITSLICED));
        }
      } catch (LinkageError e) {
        LOG.warn("Vector API failed to load (" + e + "); using the scalar kernel.");
        batch = null;
      }
      BATCH = batch;
      PANAMA = panama;
    }

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

    private static boolean vectorApiUsable() {
      if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
        LOG.warn(
            "Vector API not loaded: Hamming scans use the scalar kernel. "
                + "Start the JVM with --add-modules jdk.incubator.vector for the SIMD kernel.");
        return false;
      }
      if (Boolean.FALSE.equals(isC2Enabled())) {
        LOG.warn(
            "C2 compiler is off (-XX:TieredStopAtLevel): the Vector API would be slow; "
                + "using the scalar kernel.");
        return false;
      }
      if (!PanamaKernel.supported()) {
        LOG.warn("Preferred vector width does not fit the code layout; using the scalar kernel.");
        return false;
      }
      return true;
    }

    private static BatchKernelChoice chooseBatch() {
      BatchKernelChoice batch =
          BatchKernelChoice.choose(batchSetting(), BitSlicedBatch.supported(), cpuFlags());
      LOG.info(
          "Batched scans of one-word codes: {} (by {}: {})",
          batch.kernel(),
          batch.reason(),
          batch.detail());
      return batch;
    }

    private static String batchSetting() {
      String property = System.getProperty("pipit.index.batch");
      return property != null ? property : System.getenv("PIPIT_INDEX_BATCH");
    }

    private static Set<String> cpuFlags() {
      try {
        return BatchKernelChoice.parseCpuFlags(Files.readString(Path.of("/proc/cpuinfo")));
      } catch (IOException | SecurityException unreadable) {
        return null; // not Linux, or hidden: the default body
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
