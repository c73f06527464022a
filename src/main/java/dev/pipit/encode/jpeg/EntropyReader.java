package dev.pipit.encode.jpeg;

/**
 * Reads the entropy-coded data of a scan: byte-stuffed ({@code FF 00} is a data byte {@code FF})
 * and ended by a marker. The bits sit MSB-first in a 64-bit buffer. Like libjpeg, a marker (or the
 * end of the data) feeds zero bits so that lookahead never fails; {@link #checkNotOverrun()} then
 * tells whether any of those invented bits were actually consumed, which means the data was cut
 * short.
 */
final class EntropyReader {

  private final byte[] data;
  private final int end;
  private int pos;
  private long buffer;
  private int bits;

  /** Invented zero bits at the tail of the buffer. */
  private int zeroBits;

  /** Offset of the marker code byte that stopped reading, or -1. */
  private int markerAt = -1;

  EntropyReader(byte[] data, int start, int end) {
    this.data = data;
    this.end = end;
    this.pos = start;
  }

  /** Offset just after the bytes consumed so far (or of the marker that stopped reading). */
  int position() {
    return markerAt >= 0 ? markerAt - 1 : pos;
  }

  private void fill() {
    while (bits <= 56) {
      int b = 0;
      if (markerAt < 0 && pos < end) {
        b = data[pos] & 0xff;
        if (b != 0xff) {
          pos++;
        } else {
          int q = pos + 1;
          while (q < end && data[q] == (byte) 0xff) {
            q++;
          }
          if (q < end && data[q] == 0) {
            pos = q + 1; // stuffed FF
          } else {
            markerAt = q; // q == end when the data stops inside an FF run
            b = 0;
            zeroBits += 8;
          }
        }
      } else {
        zeroBits += 8;
      }
      buffer |= (long) b << (56 - bits);
      bits += 8;
    }
  }

  /** Decodes one Huffman symbol. */
  int decode(HuffmanTable table) {
    if (bits < 32) {
      fill();
    }
    int peek = (int) (buffer >>> 48);
    int entry = table.lookup[peek >>> (16 - HuffmanTable.LOOKAHEAD)];
    if (entry != 0) {
      consume(entry >> 8);
      return entry & 0xff;
    }
    for (int length = HuffmanTable.LOOKAHEAD + 1; length <= 16; length++) {
      int code = peek >>> (16 - length);
      if (code <= table.maxCode[length]) {
        consume(length);
        return table.symbols[code + table.valueOffset[length]] & 0xff;
      }
    }
    throw overrunOr(JpegException.corrupt("bad Huffman code in JPEG data"));
  }

  private void consume(int n) {
    buffer <<= n;
    bits -= n;
  }

  /** Reads {@code n} (0–16) bits as an unsigned number. */
  int bits(int n) {
    if (n == 0) {
      return 0;
    }
    if (bits < n) {
      fill();
    }
    int v = (int) (buffer >>> (64 - n));
    consume(n);
    return v;
  }

  /** Reads one bit. */
  int bit() {
    if (bits < 1) {
      fill();
    }
    int v = (int) (buffer >>> 63);
    consume(1);
    return v;
  }

  /** Reads {@code s} bits and sign-extends them as JPEG magnitude category {@code s} (F.2.2.1). */
  int receiveExtend(int s) {
    if (s == 0) {
      return 0;
    }
    int v = bits(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }

  /** Throws if bits beyond the real data were consumed. */
  void checkNotOverrun() {
    if (bits < zeroBits) {
      throw overrunOr(null);
    }
  }

  private JpegException overrunOr(JpegException otherwise) {
    if (bits < zeroBits || otherwise == null) {
      if (markerAt < 0 || markerAt >= end || (data[markerAt] & 0xff) == 0xD9) {
        return JpegException.truncated(
            "JPEG data ends early (premature end of entropy-coded data)");
      }
      return JpegException.corrupt(
          String.format("JPEG entropy-coded data runs into marker FF%02X", data[markerAt] & 0xff));
    }
    return otherwise;
  }

  /**
   * Ends a restart interval: drops the buffered bits and reads the restart marker {@code RST<n>},
   * then continues with the data after it.
   */
  void restart(int n) {
    int from = markerAt >= 0 ? markerAt - 1 : pos;
    int at = Markers.find(data, from, end);
    if (at < 0 || (data[at] & 0xff) == 0xD9) {
      throw JpegException.truncated("JPEG data ends early (expected restart marker RST" + n + ")");
    }
    int code = data[at] & 0xff;
    if (code != 0xD0 + n) {
      throw JpegException.corrupt(
          String.format("expected restart marker RST%d, found FF%02X", n, code));
    }
    pos = at + 1;
    markerAt = -1;
    buffer = 0;
    bits = 0;
    zeroBits = 0;
  }
}
