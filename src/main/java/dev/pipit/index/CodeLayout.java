package dev.pipit.index;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where a code lives in a chunk of a gallery's codes ({@link LongChunks}, like faiss's {@code xb}
 * cut into pieces).
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

  /** Index (in longs) of word {@code w} of code {@code ordinal}, counted from its chunk's start. */
  static int index(int ordinal, int words, int w) {
    return (ordinal & ~(BLOCK - 1)) * words + (w << 3) + (ordinal & (BLOCK - 1));
  }

  /** Longs needed for {@code count} codes (rounded up to whole blocks). */
  static long longsFor(long count, int words) {
    return ((count + BLOCK - 1) & ~(long) (BLOCK - 1)) * words;
  }

  /** Hamming distance between code {@code local} of {@code chunk} and {@code query}. */
  static int distance(MemorySegment chunk, int words, int local, long[] query) {
    long base = (long) (local & ~(BLOCK - 1)) * words + (local & (BLOCK - 1));
    int d = 0;
    for (int w = 0; w < words; w++) {
      d += Long.bitCount(chunk.getAtIndex(ValueLayout.JAVA_LONG, base + (w << 3)) ^ query[w]);
    }
    return d;
  }
}
