package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CodeTests {

  @Test
  void bitIIsBitIMod64OfWordIDiv64() {
    float[] u = new float[70];
    Arrays.fill(u, -1f);
    u[0] = 0.5f;
    u[63] = 2f;
    u[64] = 0f; // zero maps to +1
    u[69] = -0f;

    Code code = Code.fromSigns(u);

    assertThat(code.wordCount()).isEqualTo(2);
    assertThat(code.word(0)).isEqualTo(1L | (1L << 63));
    assertThat(code.word(1)).isEqualTo(1L | (1L << 5));
    assertThat(code.bit(64)).isTrue();
    assertThat(code.bit(1)).isFalse();
  }

  @Test
  void hexIsLittleEndianBytes() {
    Code code = Code.of(12, 0xABCL);

    assertThat(code.toHex()).isEqualTo("bc0a");
    assertThat(Code.fromHex(12, "bc0a")).isEqualTo(code);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 12, 24, 32, 48, 63, 64, 65, 128, 256, 1000, 1024})
  void textFormsRoundTrip(int bits) {
    Random random = new Random(bits);
    float[] u = new float[bits];
    for (int i = 0; i < bits; i++) {
      u[i] = (float) random.nextGaussian();
    }
    Code code = Code.fromSigns(u);

    assertThat(Code.fromHex(bits, code.toHex())).isEqualTo(code);
    assertThat(Code.fromBase64(bits, code.toBase64())).isEqualTo(code);
    String urlSafe = code.toBase64().replace('+', '-').replace('/', '_').replace("=", "");
    assertThat(Code.fromBase64(bits, urlSafe)).isEqualTo(code);
  }

  @Test
  void distanceMatchesTheInnerProductFormula() {
    Random random = new Random(7);
    for (int bits : new int[] {12, 48, 65, 256}) {
      int[] a = new int[bits];
      int[] b = new int[bits];
      int dot = 0;
      for (int i = 0; i < bits; i++) {
        a[i] = random.nextBoolean() ? 1 : -1;
        b[i] = random.nextBoolean() ? 1 : -1;
        dot += a[i] * b[i];
      }
      assertThat(Code.fromSigns(a).distance(Code.fromSigns(b))).isEqualTo((bits - dot) / 2);
      assertThat(Code.fromSigns(a).toSigns()).containsExactly(a);
    }
  }

  @Test
  void rejectsMalformedInput() {
    assertThatThrownBy(() -> Code.fromHex(12, "bc0"))
        .isInstanceOf(InvalidCodeException.class)
        .hasMessageContaining("4 hex digits");
    assertThatThrownBy(() -> Code.fromHex(12, "zz0a"))
        .isInstanceOf(InvalidCodeException.class)
        .hasMessageContaining("not valid hex");
    assertThatThrownBy(() -> Code.fromHex(12, "bcfa"))
        .isInstanceOf(InvalidCodeException.class)
        .hasMessageContaining("past bit 11");
    assertThatThrownBy(() -> Code.fromBase64(64, "!!!!"))
        .isInstanceOf(InvalidCodeException.class)
        .hasMessageContaining("not valid base64");
    assertThatThrownBy(() -> Code.fromBase64(64, "AAAA"))
        .isInstanceOf(InvalidCodeException.class)
        .hasMessageContaining("8 bytes");
    assertThatThrownBy(() -> Code.of(0)).isInstanceOf(InvalidCodeException.class);
    assertThatThrownBy(() -> Code.of(1025, new long[17])).isInstanceOf(InvalidCodeException.class);
    assertThatThrownBy(() -> Code.of(64, 1L, 2L))
        .isInstanceOf(InvalidCodeException.class)
        .hasMessageContaining("needs 1 words");
    assertThatThrownBy(() -> Code.fromSigns(new float[] {Float.NaN}))
        .isInstanceOf(InvalidCodeException.class);
    assertThatThrownBy(() -> Code.of(12, 1L).distance(Code.of(13, 1L)))
        .isInstanceOf(InvalidCodeException.class);
  }
}
