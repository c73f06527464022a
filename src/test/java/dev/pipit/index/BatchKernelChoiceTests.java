package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The batch kernel is chosen by the CPU's flags, kept at the bit-sliced default when they are
 * unreadable, or forced by the setting; fake flags drive every branch.
 */
class BatchKernelChoiceTests {

  private static final Set<String> AVX512_VPOPCNT =
      Set.of("avx2", "avx512f", "avx512bw", "avx512_vpopcntdq");
  private static final Set<String> AVX2_ONLY = Set.of("sse4_2", "popcnt", "avx2", "bmi2");
  private static final Set<String> AVX512_NO_VPOPCNT = Set.of("avx2", "avx512f", "avx512bw");

  @Test
  void vectorPopcountInTheFlagsPicksThePopcountBody() {
    BatchKernelChoice c = BatchKernelChoice.choose("auto", true, AVX512_VPOPCNT);
    assertThat(c.kernel()).isEqualTo("popcount");
    assertThat(c.reason()).isEqualTo("cpu-features");
    assertThat(c.detail()).contains("avx512_vpopcntdq");
  }

  @Test
  void withoutVectorPopcountTheBitSlicedBodyIsPicked() {
    for (Set<String> flags : Set.of(AVX2_ONLY, AVX512_NO_VPOPCNT)) {
      BatchKernelChoice c = BatchKernelChoice.choose(null, true, flags);
      assertThat(c.kernel()).as("flags %s", flags).isEqualTo("bitsliced");
      assertThat(c.reason()).isEqualTo("cpu-features");
      assertThat(c.detail()).isEqualTo("no avx512_vpopcntdq");
    }
  }

  @Test
  void unreadableFlagsKeepTheBitSlicedDefault() {
    BatchKernelChoice c = BatchKernelChoice.choose("auto", true, null);
    assertThat(c.kernel()).isEqualTo("bitsliced");
    assertThat(c.reason()).isEqualTo("default");
    assertThat(c.detail()).contains("CPU flags unreadable");
  }

  @Test
  void calibrationIsNoLongerASetting() {
    assertThatThrownBy(() -> BatchKernelChoice.choose("calibrate", true, AVX512_VPOPCNT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auto, bitsliced or popcount");
  }

  @Test
  void theSettingForcesEitherBody() {
    BatchKernelChoice bitSliced = BatchKernelChoice.choose(" BitSliced ", true, AVX512_VPOPCNT);
    assertThat(bitSliced.kernel()).isEqualTo("bitsliced");
    assertThat(bitSliced.reason()).isEqualTo("setting");
    BatchKernelChoice popcount = BatchKernelChoice.choose("popcount", true, AVX2_ONLY);
    assertThat(popcount.kernel()).isEqualTo("popcount");
    assertThat(popcount.reason()).isEqualTo("setting");
  }

  @Test
  void narrowVectorsLeaveOnlyThePopcountBody() {
    BatchKernelChoice c = BatchKernelChoice.choose("auto", false, AVX2_ONLY);
    assertThat(c.kernel()).isEqualTo("popcount");
    assertThat(c.reason()).isEqualTo("cpu-features");
    assertThatThrownBy(() -> BatchKernelChoice.choose("bitsliced", false, AVX2_ONLY))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anUnknownSettingIsRefused() {
    assertThatThrownBy(() -> BatchKernelChoice.choose("fastest", true, AVX2_ONLY))
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
  void theJvmsChoiceIsOneOfTheTwoBodies() {
    // surefire runs with --add-modules jdk.incubator.vector (pom.xml): its absence is a setup error
    assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
    BatchKernelChoice c = BatchKernelChoice.current();
    assertThat(c.kernel()).isIn("bitsliced", "popcount");
    assertThat(c.reason()).isIn("cpu-features", "default", "setting");
  }
}
