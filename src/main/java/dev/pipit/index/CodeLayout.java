package dev.pipit.index;

/**
 * Where a code lives in the one contiguous {@code long[]} of a gallery (like faiss's {@code xb}).
 *
 * <p>Codes are stored column-blocked in blocks of {@link #BLOCK} codes: block {@code b} occupies
 * {@code BLOCK * words} longs starting at {@code b * BLOCK * words}, and inside it word {@code w}
 * of the {@code BLOCK} codes sits side by side ({@code w * BLOCK + lane}). A SIMD kernel then loads
 * word {@code w} of several codes with one instruction and keeps one code per lane, which beat
 * per-code vectors for multi-word codes on this machine. For one-word codes the layout is plainly
 * {@code codes[ordinal]}.
 */
final class CodeLayout {

  /** Codes per block; a multiple of every lane count the kernels use (2, 4, 8 longs). */
  static final int BLOCK = 8;

  private CodeLayout() {}

  /** Index of word {@code w} of code {@code ordinal}. */
  static int index(int ordinal, int words, int w) {
    return (ordinal & ~(BLOCK - 1)) * words + (w << 3) + (ordinal & (BLOCK - 1));
  }

  /** Longs needed for {@code count} codes (rounded up to whole blocks). */
  static long longsFor(long count, int words) {
    return ((count + BLOCK - 1) & ~(long) (BLOCK - 1)) * words;
  }

  /** Stores {@code code} (packed words) as code {@code ordinal}. */
  static void store(long[] codes, int words, int ordinal, long[] code) {
    for (int w = 0; w < words; w++) {
      codes[index(ordinal, words, w)] = code[w];
    }
  }

  /** Reads code {@code ordinal} into a new packed array. */
  static long[] load(long[] codes, int words, int ordinal) {
    long[] code = new long[words];
    for (int w = 0; w < words; w++) {
      code[w] = codes[index(ordinal, words, w)];
    }
    return code;
  }

  /** Hamming distance between code {@code ordinal} and {@code query}. */
  static int distance(long[] codes, int words, int ordinal, long[] query) {
    int base = (ordinal & ~(BLOCK - 1)) * words + (ordinal & (BLOCK - 1));
    int d = 0;
    for (int w = 0; w < words; w++) {
      d += Long.bitCount(codes[base + (w << 3)] ^ query[w]);
    }
    return d;
  }
}
