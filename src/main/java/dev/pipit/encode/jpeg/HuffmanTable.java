package dev.pipit.encode.jpeg;

/**
 * A canonical Huffman table from a DHT segment (JPEG spec Annex C): a 9-bit lookahead table for the
 * short codes, which are nearly all of them, and per-length maximum codes for the rest (F.2.2.3).
 */
final class HuffmanTable {

  static final int LOOKAHEAD = 9;

  /** (length << 8 | symbol) for every 9-bit prefix that starts with a code of ≤ 9 bits, else 0. */
  final short[] lookup = new short[1 << LOOKAHEAD];

  /** Largest code of each length (index 1–16), -1 when there is none. */
  final int[] maxCode = new int[17];

  /** Added to a code of a length to get its index into {@link #symbols}. */
  final int[] valueOffset = new int[17];

  final byte[] symbols;

  /**
   * @param counts number of codes of each length 1–16 (index 0 = length 1)
   * @param symbols the symbols in code order
   * @param dc whether this is a DC table, whose symbols are magnitude categories 0–15
   */
  HuffmanTable(int[] counts, byte[] symbols, boolean dc) {
    this.symbols = symbols;
    int code = 0;
    int k = 0;
    for (int length = 1; length <= 16; length++) {
      int n = counts[length - 1];
      valueOffset[length] = k - code;
      for (int i = 0; i < n; i++, k++, code++) {
        if (length <= LOOKAHEAD) {
          int shift = LOOKAHEAD - length;
          short entry = (short) (length << 8 | symbols[k] & 0xff);
          for (int fill = 0; fill < 1 << shift; fill++) {
            lookup[(code << shift) | fill] = entry;
          }
        }
      }
      maxCode[length] = n == 0 ? -1 : code - 1;
      // Codes must fit their length (a table with too many codes is corrupt).
      if (code > 1 << length) {
        throw JpegException.corrupt("Huffman table has more codes than fit in " + length + " bits");
      }
      code <<= 1;
    }
    if (dc) {
      for (byte s : symbols) {
        if ((s & 0xff) > 15) {
          throw JpegException.corrupt(
              "DC Huffman table has symbol " + (s & 0xff) + " (more than 15)");
        }
      }
    }
  }
}
