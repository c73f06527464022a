package dev.pipit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShardFunctionTests {

  // Reference values of MurmurHash3_x86_32 (the algorithm's published test vectors).
  @Test
  void matchesMurmur3ReferenceValues() {
    assertThat(ShardFunction.murmur3(new byte[0], 0)).isZero();
    assertThat(ShardFunction.murmur3(new byte[0], 1)).isEqualTo(0x514e28b7);
    assertThat(ShardFunction.murmur3(utf8("hello"), 0)).isEqualTo(0x248bfa47);
    assertThat(ShardFunction.murmur3(utf8("Hello, world!"), 1234)).isEqualTo(0xfaf6cdb3);
    assertThat(ShardFunction.murmur3(utf8("The quick brown fox jumps over the lazy dog"), 0))
        .isEqualTo(0x2e4ff723);
  }

  @Test
  void spreadsSequentialIdsEvenly() {
    ShardFunction four = new ShardFunction(4);
    int[] counts = new int[4];
    for (int i = 0; i < 40_000; i++) {
      counts[four.shardOf("item-" + i)]++;
    }
    for (int count : counts) {
      assertThat(count).isBetween(9_500, 10_500);
    }
  }

  @Test
  void oneShardHoldsEverythingAndZeroShardsIsRefused() {
    assertThat(new ShardFunction(1).shardOf("anything")).isZero();
    assertThatThrownBy(() -> new ShardFunction(0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
