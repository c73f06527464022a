package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The batch kernel is chosen by the CPU's flags, by a calibration when they are unreadable or on
 * request, or by the setting; fake flags and timings drive every branch.
 */
class BatchKernelChoiceTests {

  private static final Set<String> AVX512_VPOPCNT =
      Set.of("avx2", "avx512f", "avx512bw", "avx512_vpopcntdq");
  private static final Set<String> AVX2_ONLY = Set.of("sse4_2", "popcnt", "avx2", "bmi2");
  private static final Set<String> AVX512_NO_VPOPCNT = Set.of("avx2", "avx512f", "avx512bw");

  private final AtomicInteger calibrations = new AtomicInteger();

  private Supplier<BatchKernelChoice.Timings> timings(long bitSliced, long popcount) {
    return () -> {
      calibrations.incrementAndGet();
      return new BatchKernelChoice.Timings(bitSliced, popcount);
    };
  }

  @Test
  void vectorPopcountInTheFlagsPicksThePopcountBody() {
    BatchKernelChoice c = BatchKernelChoice.choose("auto", true, AVX512_VPOPCNT, timings(1, 2));
    assertThat(c.kernel()).isEqualTo("popcount");
    assertThat(c.reason()).isEqualTo("cpu-features");
    assertThat(c.detail()).contains("avx512_vpopcntdq");
    assertThat(calibrations).hasValue(0);
  }

  @Test
  void withoutVectorPopcountTheBitSlicedBodyIsPicked() {
    for (Set<String> flags : Set.of(AVX2_ONLY, AVX512_NO_VPOPCNT)) {
      BatchKernelChoice c = BatchKernelChoice.choose(null, true, flags, timings(2, 1));
      assertThat(c.kernel()).as("flags %s", flags).isEqualTo("bitsliced");
      assertThat(c.reason()).isEqualTo("cpu-features");
    }
    assertThat(calibrations).hasValue(0);
  }

  @Test
  void unreadableFlagsCalibrateAndTheFasterBodyWins() {
    BatchKernelChoice fasterBitSliced = BatchKernelChoice.choose("auto", true, null, timings(3, 5));
    assertThat(fasterBitSliced.kernel()).isEqualTo("bitsliced");
    assertThat(fasterBitSliced.reason()).isEqualTo("calibration");
    assertThat(fasterBitSliced.detail()).contains("CPU flags unreadable");

    BatchKernelChoice fasterPopcount =
        BatchKernelChoice.choose("auto", true, null, timings(5_000_000, 3_000_000));
    assertThat(fasterPopcount.kernel()).isEqualTo("popcount");
    assertThat(fasterPopcount.detail()).contains("bitsliced 5.00 ms, popcount 3.00 ms");
    assertThat(calibrations).hasValue(2);
  }

  @Test
  void calibrateSettingIgnoresTheFlags() {
    BatchKernelChoice c =
        BatchKernelChoice.choose("calibrate", true, AVX512_VPOPCNT, timings(1, 9));
    assertThat(c.kernel()).isEqualTo("bitsliced");
    assertThat(c.reason()).isEqualTo("calibration");
    assertThat(calibrations).hasValue(1);
  }

  @Test
  void theSettingForcesEitherBody() {
    BatchKernelChoice bitSliced =
        BatchKernelChoice.choose(" BitSliced ", true, AVX512_VPOPCNT, timings(9, 1));
    assertThat(bitSliced.kernel()).isEqualTo("bitsliced");
    assertThat(bitSliced.reason()).isEqualTo("setting");
    BatchKernelChoice popcount =
        BatchKernelChoice.choose("popcount", true, AVX2_ONLY, timings(1, 9));
    assertThat(popcount.kernel()).isEqualTo("popcount");
    assertThat(popcount.reason()).isEqualTo("setting");
    assertThat(calibrations).hasValue(0);
  }

  @Test
  void narrowVectorsLeaveOnlyThePopcountBody() {
    BatchKernelChoice c = BatchKernelChoice.choose("auto", false, AVX2_ONLY, timings(1, 9));
    assertThat(c.kernel()).isEqualTo("popcount");
    assertThat(c.reason()).isEqualTo("cpu-features");
    assertThatThrownBy(() -> BatchKernelChoice.choose("bitsliced", false, AVX2_ONLY, timings(1, 9)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anUnknownSettingIsRefused() {
    assertThatThrownBy(() -> BatchKernelChoice.choose("fastest", true, AVX2_ONLY, timings(1, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fastest");
  }

  @Test
  void flagsAreReadFromCpuinfo() {
    String cpuinfo =
        """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        flags\t\t: fpu sse2 avx2 avx512f avx512_vpopcntdq
        bugs\t\t: sysret_ss_attrs

        processor\t: 1
        flags\t\t: fpu sse2 avx2 avx512f avx512_vpopcntdq
        """;
    assertThat(BatchKernelChoice.parseCpuFlags(cpuinfo))
        .containsExactlyInAnyOrder("fpu", "sse2", "avx2", "avx512f", "avx512_vpopcntdq");
    assertThat(BatchKernelChoice.parseCpuFlags("processor: 0\nmodel name: Apple M2\n")).isNull();
  }

  @Test
  void calibrationTimesBothBodiesOnThisMachine() {
    // surefire runs with --add-modules jdk.incubator.vector (pom.xml): its absence is a setup error
    assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
    long start = System.nanoTime();
    BatchKernelChoice.Timings t = BatchCalibration.run(3, 20_000_000L);
    long took = System.nanoTime() - start;
    assertThat(t.bitSlicedNanos()).isPositive();
    assertThat(t.popcountNanos()).isPositive();
    assertThat(took).as("budget plus the last rounds").isLessThan(2_000_000_000L);
  }

  @Test
  void theJvmsChoiceIsOneOfTheTwoBodies() {
    BatchKernelChoice c = BatchKernelChoice.current();
    assertThat(c.kernel()).isIn("bitsliced", "popcount");
    assertThat(c.reason()).isIn("cpu-features", "calibration", "setting", "no-vector-api");
  }
}
