package dev.pipit.index;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A binary code of 1 to 1024 bits, packed into {@code ceil(bits/64)} longs: bit {@code i} of the
 * code is bit {@code i mod 64} of word {@code i/64}. Bits past {@code bits} in the last word are
 * always zero.
 *
 * <p>Bit {@code i} is set when component {@code i} of the network output is {@code >= 0}, i.e. the
 * code is {@code sign(u)} with 0 mapped to +1, stored as +1 → 1 and −1 → 0. The Hamming distance
 * between two codes is then {@code (bits − qᵀb) / 2} for their ±1 vectors.
 *
 * <p>Text forms (used by the API, files and tests) encode the little-endian bytes of the words,
 * truncated to {@code ceil(bits/8)} bytes: byte {@code j} holds bits {@code 8j .. 8j+7}, least
 * significant first. {@link #toHex()} writes them as lowercase hex, {@link #toBase64()} as RFC 4648
 * base64 with padding; {@link #fromBase64} also accepts the URL-safe alphabet and missing padding.
 */
public final class Code {

  /** Longest supported code. */
  public static final int MAX_BITS = 1024;

  private final int bits;
  private final long[] words;

  private Code(int bits, long[] words) {
    this.bits = bits;
    this.words = words;
  }

  /** Number of 64-bit words that hold a code of {@code bits} bits. */
  public static int wordsFor(int bits) {
    checkBits(bits);
    return (bits + 63) >>> 6;
  }

  /**
   * Wraps packed words (copied).
   *
   * @throws InvalidCodeException if the word count does not match {@code bits} or a bit past {@code
   *     bits} is set
   */
  public static Code of(int bits, long... words) {
    int expected = wordsFor(bits);
    if (words.length != expected) {
      throw new InvalidCodeException(
          "a " + bits + "-bit code needs " + expected + " words, got " + words.length);
    }
    long tail = tailMask(bits);
    if ((words[expected - 1] & ~tail) != 0) {
      throw new InvalidCodeException(
          "bits past bit " + (bits - 1) + " are set in a " + bits + "-bit code");
    }
    return new Code(bits, words.clone());
  }

  /** Quantises real outputs: bit {@code i} is set when {@code values[i] >= 0} (0 maps to +1). */
  public static Code fromSigns(float[] values) {
    return fromSigns(values, 0, values.length);
  }

  /** Quantises {@code length} real outputs starting at {@code offset}. */
  public static Code fromSigns(float[] values, int offset, int length) {
    long[] words = new long[wordsFor(length)];
    for (int i = 0; i < length; i++) {
      float v = values[offset + i];
      if (Float.isNaN(v)) {
        throw new InvalidCodeException("component " + i + " is NaN; cannot take its sign");
      }
      if (v >= 0f) { // -0.0f >= 0f holds too: zero of either sign maps to +1
        words[i >>> 6] |= 1L << (i & 63);
      }
    }
    return new Code(length, words);
  }

  /** Builds a code from ±1 values (any value {@code >= 0} counts as +1). */
  public static Code fromSigns(int[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      f[i] = values[i];
    }
    return fromSigns(f);
  }

  /**
   * Parses the hex form.
   *
   * @throws InvalidCodeException on bad characters, a wrong length, or bits set past {@code bits}
   */
  public static Code fromHex(int bits, String hex) {
    checkBits(bits);
    if (hex == null) {
      throw new InvalidCodeException("code is missing");
    }
    int bytes = bytesFor(bits);
    if (hex.length() != 2 * bytes) {
      throw new InvalidCodeException(
          "a " + bits + "-bit code is " + 2 * bytes + " hex digits, got " + hex.length());
    }
    byte[] raw;
    try {
      raw = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new InvalidCodeException("code is not valid hex: " + e.getMessage());
    }
    return fromBytes(bits, raw);
  }

  /**
   * Parses the base64 form (standard or URL-safe alphabet, padding optional).
   *
   * @throws InvalidCodeException on bad characters, a wrong length, or bits set past {@code bits}
   */
  public static Code fromBase64(int bits, String base64) {
    checkBits(bits);
    if (base64 == null) {
      throw new InvalidCodeException("code is missing");
    }
    String normalised = base64.replace('-', '+').replace('_', '/');
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(normalised.length() % 4 == 0 ? normalised : pad(normalised));
    } catch (IllegalArgumentException e) {
      throw new InvalidCodeException("code is not valid base64: " + e.getMessage());
    }
    if (raw.length != bytesFor(bits)) {
      throw new InvalidCodeException(
          "a " + bits + "-bit code is " + bytesFor(bits) + " bytes, base64 gave " + raw.length);
    }
    return fromBytes(bits, raw);
  }

  private static String pad(String base64) {
    return base64 + "=".repeat((4 - base64.length() % 4) % 4);
  }

  private static Code fromBytes(int bits, byte[] raw) {
    long[] words = new long[wordsFor(bits)];
    for (int j = 0; j < raw.length; j++) {
      words[j >>> 3] |= (raw[j] & 0xFFL) << ((j & 7) * 8);
    }
    return of(bits, words);
  }

  /** Code length in bits. */
  public int bits() {
    return bits;
  }

  /** Number of packed words. */
  public int wordCount() {
    return words.length;
  }

  /** Word {@code w} of the packed form. */
  public long word(int w) {
    return words[w];
  }

  /** A copy of the packed words. */
  public long[] words() {
    return words.clone();
  }

  /** Copies the packed words into {@code dest} at {@code offset}. */
  public void copyTo(long[] dest, int offset) {
    System.arraycopy(words, 0, dest, offset, words.length);
  }

  /** Whether bit {@code i} is set (component {@code i} is +1). */
  public boolean bit(int i) {
    if (i < 0 || i >= bits) {
      throw new IndexOutOfBoundsException("bit " + i + " of a " + bits + "-bit code");
    }
    return (words[i >>> 6] & (1L << (i & 63))) != 0;
  }

  /** The code as ±1 values. */
  public int[] toSigns() {
    int[] signs = new int[bits];
    for (int i = 0; i < bits; i++) {
      signs[i] = bit(i) ? 1 : -1;
    }
    return signs;
  }

  /** Hamming distance to a code of the same length. */
  public int distance(Code other) {
    if (other.bits != bits) {
      throw new InvalidCodeException(
          "cannot compare a " + bits + "-bit code with a " + other.bits + "-bit code");
    }
    int d = 0;
    for (int w = 0; w < words.length; w++) {
      d += Long.bitCount(words[w] ^ other.words[w]);
    }
    return d;
  }

  /** Lowercase hex of the little-endian bytes ({@code ceil(bits/8)} bytes). */
  public String toHex() {
    return HexFormat.of().formatHex(toBytes());
  }

  /** Standard base64 (with padding) of the little-endian bytes. */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(toBytes());
  }

  private byte[] toBytes() {
    byte[] raw = new byte[bytesFor(bits)];
    for (int j = 0; j < raw.length; j++) {
      raw[j] = (byte) (words[j >>> 3] >>> ((j & 7) * 8));
    }
    return raw;
  }

  static long tailMask(int bits) {
    int rem = bits & 63;
    return rem == 0 ? -1L : (1L << rem) - 1;
  }

  private static int bytesFor(int bits) {
    return (bits + 7) >>> 3;
  }

  private static void checkBits(int bits) {
    if (bits < 1 || bits > MAX_BITS) {
      throw new InvalidCodeException("code length must be 1.." + MAX_BITS + " bits, got " + bits);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Code c && c.bits == bits && Arrays.equals(c.words, words);
  }

  @Override
  public int hashCode() {
    return 31 * bits + Arrays.hashCode(words);
  }

  @Override
  public String toString() {
    return bits + ":" + toHex();
  }
}
