package dev.pipit.train.eval;

import dev.pipit.index.Code;
import java.util.List;

/**
 * Many binary codes of one length, packed into one contiguous {@code long[]} (code {@code i}
 * occupies words {@code i*w .. i*w+w-1}, {@code w = ceil(bits/64)}), in the bit order of {@link
 * Code}. Contiguous storage keeps the evaluator's inner loop a plain XOR/popcount over an array.
 */
public final class CodeSet {

  private final int bits;
  private final int words;
  private final int size;
  private final long[] data;

  private CodeSet(int bits, long[] data) {
    this.bits = bits;
    this.words = Code.wordsFor(bits);
    if (data.length % words != 0) {
      throw new IllegalArgumentException(
          data.length + " words is not a whole number of " + bits + "-bit codes");
    }
    this.size = data.length / words;
    this.data = data;
  }

  /** Packs {@code codes}, which must all have {@code bits} bits (an empty list is allowed). */
  public static CodeSet of(int bits, List<Code> codes) {
    long[] data = new long[codes.size() * Code.wordsFor(bits)];
    int w = Code.wordsFor(bits);
    for (int i = 0; i < codes.size(); i++) {
      Code c = codes.get(i);
      if (c.bits() != bits) {
        throw new IllegalArgumentException(
            "code " + i + " has " + c.bits() + " bits, expected " + bits);
      }
      c.copyTo(data, i * w);
    }
    return new CodeSet(bits, data);
  }

  /** Packs a non-empty list of codes of equal length. */
  public static CodeSet of(List<Code> codes) {
    if (codes.isEmpty()) {
      throw new IllegalArgumentException("no codes; use of(bits, codes) for an empty set");
    }
    return of(codes.get(0).bits(), codes);
  }

  /**
   * Wraps already packed words (copied). Bits past {@code bits} in each code's last word must be
   * zero.
   */
  public static CodeSet packed(int bits, long[] data) {
    CodeSet set = new CodeSet(bits, data.clone());
    int rem = bits & 63;
    if (rem != 0) {
      long mask = (1L << rem) - 1;
      for (int i = 0; i < set.size; i++) {
        if ((set.data[i * set.words + set.words - 1] & ~mask) != 0) {
          throw new IllegalArgumentException("code " + i + " has bits set past bit " + (bits - 1));
        }
      }
    }
    return set;
  }

  /**
   * Quantises a row-major matrix of network outputs ({@code values.length / bits} rows): bit {@code
   * i} of a row is set when its component {@code i} is {@code >= 0}, as {@link
   * Code#fromSigns(float[])}.
   */
  public static CodeSet fromSigns(int bits, float[] values) {
    if (values.length % bits != 0) {
      throw new IllegalArgumentException(
          values.length + " values is not a whole number of rows of " + bits);
    }
    int n = values.length / bits;
    int w = Code.wordsFor(bits);
    long[] data = new long[n * w];
    for (int i = 0; i < n; i++) {
      Code.fromSigns(values, i * bits, bits).copyTo(data, i * w);
    }
    return new CodeSet(bits, data);
  }

  /** Code length in bits. */
  public int bits() {
    return bits;
  }

  /** Words per code. */
  public int wordsPerCode() {
    return words;
  }

  /** Number of codes. */
  public int size() {
    return size;
  }

  /** Code {@code i} as a {@link Code}. */
  public Code get(int i) {
    long[] w = new long[words];
    System.arraycopy(data, i * words, w, 0, words);
    return Code.of(bits, w);
  }

  /** Hamming distance between code {@code i} here and code {@code j} of {@code other}. */
  public int distance(int i, CodeSet other, int j) {
    int d = 0;
    for (int w = 0; w < words; w++) {
      d += Long.bitCount(data[i * words + w] ^ other.data[j * words + w]);
    }
    return d;
  }

  /** The backing array, shared: callers in this package must not modify it. */
  long[] data() {
    return data;
  }
}
