package dev.pipit.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Code generators and the brute-force reference the index is checked against. */
final class TestCodes {

  private TestCodes() {}

  static Code random(int bits, Random rnd) {
    long[] words = new long[Code.wordsFor(bits)];
    for (int w = 0; w < words.length; w++) {
      words[w] = rnd.nextLong();
    }
    words[words.length - 1] &= Code.tailMask(bits);
    return Code.of(bits, words);
  }

  /** A code near {@code centre}: each bit flipped with probability {@code noise}. */
  static Code noisy(Code centre, double noise, Random rnd) {
    long[] words = centre.words();
    for (int i = 0; i < centre.bits(); i++) {
      if (rnd.nextDouble() < noise) {
        words[i >>> 6] ^= 1L << (i & 63);
      }
    }
    return Code.of(centre.bits(), words);
  }

  /**
   * {@code n} codes drawn around {@code centres} random class centres, or uniformly when 0 centres.
   */
  static List<Code> gallery(int bits, int n, int centres, double noise, Random rnd) {
    List<Code> centreCodes = new ArrayList<>();
    for (int c = 0; c < centres; c++) {
      centreCodes.add(random(bits, rnd));
    }
    List<Code> codes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      codes.add(
          centres == 0
              ? random(bits, rnd)
              : noisy(centreCodes.get(rnd.nextInt(centres)), noise, rnd));
    }
    return codes;
  }

  /** Brute force: keys {@code (dist << 32) | ordinal} of the live codes, ascending, at most k. */
  static long[] naiveKnn(List<Code> codes, boolean[] dead, Code query, int k) {
    return firstK(naiveAll(codes, dead, query), k);
  }

  /** The first k of ascending keys. */
  static long[] firstK(long[] sortedKeys, int k) {
    return Arrays.copyOf(sortedKeys, Math.min(k, sortedKeys.length));
  }

  /** Brute force: keys of every live code within {@code radius}, ascending. */
  static long[] naiveRadius(List<Code> codes, boolean[] dead, Code query, int radius) {
    return withinRadius(naiveAll(codes, dead, query), radius);
  }

  /** The keys within {@code radius} of ascending keys. */
  static long[] withinRadius(long[] sortedKeys, int radius) {
    return Arrays.stream(sortedKeys).filter(key -> (key >>> 32) <= radius).toArray();
  }

  /** Brute force over {@link Code#distance} (no index code involved): every live key, ascending. */
  static long[] naiveAll(List<Code> codes, boolean[] dead, Code query) {
    long[] keys = new long[codes.size()];
    int n = 0;
    for (int i = 0; i < codes.size(); i++) {
      if (dead == null || !dead[i]) {
        keys[n++] = ((long) query.distance(codes.get(i)) << 32) | i;
      }
    }
    long[] live = Arrays.copyOf(keys, n);
    Arrays.sort(live);
    return live;
  }
}
