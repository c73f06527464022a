package dev.pipit.encode.jpeg;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A pure-Java JPEG decoder whose output is byte-identical to libjpeg-turbo's with {@code
 * JDCT_IFAST} ({@code djpeg -dct fast}, TensorFlow's default {@code decode_jpeg}): baseline,
 * extended and progressive Huffman coding with 8-bit samples, restart intervals, any integral
 * sampling, 1 (gray), 3 (YCbCr or RGB) and 4 (CMYK or YCCK) components.
 *
 * <p>Stages: markers → Huffman decoding ({@link ScanDecoder}) → dequantisation and fast integer
 * IDCT ({@link FastIdct}) → fancy upsampling ({@link Upsampler}) → colour conversion ({@link
 * ColorConverter}). Colour space as libjpeg guesses it: JFIF → YCbCr; else Adobe transform 0 → RGB
 * or CMYK, 2 → YCCK; else component ids 'R','G','B' → RGB. Not done: block smoothing of progressive
 * files whose scans stop before the last bit of a coefficient (libjpeg interpolates missing AC
 * coefficients there; complete files never need it).
 *
 * <p>Errors are {@link JpegException}s: {@code TRUNCATED} when the data stops early (including a
 * missing EOI), {@code CORRUPT} for malformed segments or entropy data, {@code UNSUPPORTED} for
 * processes other decoders may handle (arithmetic coding, lossless, hierarchical, 12-bit, DNL).
 * Thread-safe: all state is per call.
 */
public final class JpegDecoder {

  private static final int SOI = 0xD8;
  private static final int EOI = 0xD9;

  private JpegDecoder() {}

  /**
   * Reads the first frame header, decoding nothing; throws {@link JpegException} when there is
   * none.
   */
  public static JpegInfo readInfo(byte[] data) {
    checkSoi(data);
    int pos = 2;
    while (true) {
      int at = Markers.find(data, pos, data.length);
      if (at < 0) {
        throw JpegException.truncated("JPEG ends before its frame header (SOF)");
      }
      int code = data[at] & 0xff;
      pos = at + 1;
      if (code == EOI || code == 0xDA) {
        throw JpegException.corrupt(
            String.format("JPEG has no frame header before marker FF%02X", code));
      }
      if (!hasLength(code)) {
        continue;
      }
      Segment s = Segment.at(data, pos);
      if (isSof(code)) {
        if (s.length() < 6) {
          throw JpegException.corrupt("JPEG frame header too short");
        }
        int precision = s.u8(0);
        String process = process(code);
        boolean supported = (code == 0xC0 || code == 0xC1 || code == 0xC2) && precision == 8;
        if (precision != 8) {
          process += ", " + precision + "-bit";
        }
        return new JpegInfo(s.u16(3), s.u16(1), s.u8(5), supported, process);
      }
      pos = s.end();
    }
  }

  /**
   * Bounds on the work of one decode. A progressive file may hold any number of scans, each of
   * which the decoder must process in full even when it carries next to no data (a "scan bomb": a
   * few hundred bytes per scan, thousands of scans), so the byte and pixel limits alone do not
   * bound CPU time.
   *
   * @param maxScans most scans (SOS markers) a file may have
   * @param maxWork most coefficients decoded over all scans: for each scan, the blocks of the
   *     components it codes × 64 (about pixels × components × scans)
   */
  public record Limits(int maxScans, long maxWork) {

    /** No bounds (tests, trusted files). */
    public static final Limits NONE = new Limits(Integer.MAX_VALUE, Long.MAX_VALUE);

    public Limits {
      if (maxScans < 1 || maxWork < 1) {
        throw new IllegalArgumentException("limits must be positive: " + maxScans + ", " + maxWork);
      }
    }
  }

  /** Decodes a whole JPEG, without work limits. */
  public static JpegImage decode(byte[] data) {
    return decode(data, Limits.NONE);
  }

  /**
   * Decodes a whole JPEG, failing with a {@link JpegException.Kind#LIMIT} exception before the scan
   * that would exceed {@code limits}.
   */
  public static JpegImage decode(byte[] data, Limits limits) {
    return new Parse(data, limits).run();
  }

  /**
   * Counts the scans (SOS markers) before EOI by walking the markers, decoding nothing: linear in
   * the bytes, so a file with too many scans is refused before any of them is decoded. Stops
   * quietly at a malformed or missing segment (the decoder reports those).
   */
  public static int countScans(byte[] data) {
    int scans = 0;
    try {
      checkSoi(data);
      int pos = 2;
      while (true) {
        int at = Markers.find(data, pos, data.length);
        if (at < 0) {
          return scans;
        }
        int code = data[at] & 0xff;
        pos = at + 1;
        if (code == EOI) {
          return scans;
        }
        if (!hasLength(code)) {
          continue;
        }
        Segment s = Segment.at(data, pos);
        if (code == 0xDA) {
          scans++;
        }
        pos = s.end(); // after an SOS, Markers.find skips the entropy-coded data (FF00, RSTn)
      }
    } catch (JpegException malformed) {
      return scans;
    }
  }

  static void checkSoi(byte[] data) {
    if (data.length < 2) {
      throw JpegException.truncated("JPEG ends before its SOI marker");
    }
    if ((data[0] & 0xff) != 0xFF || (data[1] & 0xff) != SOI) {
      throw JpegException.corrupt("not a JPEG (no SOI marker)");
    }
  }

  private static boolean hasLength(int code) {
    return !(code == SOI || code == EOI || code == 0x01 || (code >= 0xD0 && code <= 0xD7));
  }

  private static boolean isSof(int code) {
    return code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC;
  }

  private static String process(int code) {
    return switch (code) {
      case 0xC0 -> "baseline";
      case 0xC1 -> "extended sequential";
      case 0xC2 -> "progressive";
      case 0xC3 -> "lossless";
      case 0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF -> "hierarchical";
      default -> "arithmetic-coded";
    };
  }

  /** One marker segment's payload: bytes [start, end) after the length field. */
  record Segment(byte[] data, int start, int end) {

    static Segment at(byte[] data, int pos) {
      if (pos + 2 > data.length) {
        throw JpegException.truncated("JPEG ends inside a marker segment length");
      }
      int length = (data[pos] & 0xff) << 8 | data[pos + 1] & 0xff;
      if (length < 2) {
        throw JpegException.corrupt("JPEG marker segment length " + length + " is less than 2");
      }
      if (pos + length > data.length) {
        throw JpegException.truncated("JPEG ends inside a marker segment");
      }
      return new Segment(data, pos + 2, pos + length);
    }

    int length() {
      return end - start;
    }

    int u8(int i) {
      if (i >= length()) {
        throw JpegException.corrupt("JPEG marker segment shorter than its contents");
      }
      return data[start + i] & 0xff;
    }

    int u16(int i) {
      return u8(i) << 8 | u8(i + 1);
    }
  }

  /** The state of one decode: tables, frame and the markers seen. */
  private static final class Parse {

    private final byte[] data;
    private final Limits limits;
    private long work;
    private final int[][] quant = new int[4][];
    private final HuffmanTable[] dcTables = new HuffmanTable[4];
    private final HuffmanTable[] acTables = new HuffmanTable[4];
    private final List<byte[]> iccChunks = new ArrayList<>();
    private Frame frame;
    private int restartInterval;
    private boolean jfif;
    private int adobeTransform = -1;
    private int scans;

    Parse(byte[] data, Limits limits) {
      this.data = data;
      this.limits = limits;
    }

    JpegImage run() {
      checkSoi(data);
      int pos = 2;
      while (true) {
        int at = Markers.find(data, pos, data.length);
        if (at < 0) {
          throw JpegException.truncated(
              frame == null || scans == 0
                  ? "JPEG ends before its image data"
                  : "JPEG ends without EOI marker");
        }
        int code = data[at] & 0xff;
        pos = at + 1;
        if (code == EOI) {
          break;
        }
        if (code == SOI) {
          throw JpegException.corrupt("JPEG has a second SOI marker");
        }
        if (!hasLength(code)) {
          continue; // stray RSTn or TEM: ignored, as libjpeg does
        }
        Segment s = Segment.at(data, pos);
        pos = s.end();
        switch (code) {
          case 0xC0, 0xC1, 0xC2 -> readFrame(s, code == 0xC2);
          case 0xC4 -> readHuffmanTables(s);
          case 0xDB -> readQuantTables(s);
          case 0xDD -> restartInterval = s.u16(0);
          case 0xDA -> pos = readScan(s);
          case 0xE0 -> jfif |= startsWith(s, "JFIF\0");
          case 0xE2 -> readIccChunk(s);
          case 0xEE -> {
            if (startsWith(s, "Adobe") && s.length() >= 12) {
              adobeTransform = s.u8(11);
            }
          }
          default -> {
            if (isSof(code)) {
              throw JpegException.unsupported("JPEG " + process(code) + " coding is not supported");
            }
            // APPn, COM, DNL and others carry nothing the decoder needs.
          }
        }
      }
      if (frame == null || scans == 0) {
        throw JpegException.corrupt("JPEG has no image data");
      }
      return Output.assemble(frame, colors(), !storedAsOutput(), adobeTransform >= 0, icc());
    }

    private static boolean startsWith(Segment s, String id) {
      if (s.length() < id.length()) {
        return false;
      }
      for (int i = 0; i < id.length(); i++) {
        if (s.u8(i) != id.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    private void readFrame(Segment s, boolean progressive) {
      if (frame != null) {
        throw JpegException.corrupt("JPEG has more than one frame header");
      }
      int precision = s.u8(0);
      if (precision != 8) {
        throw JpegException.unsupported(precision + "-bit JPEG samples are not supported");
      }
      int height = s.u16(1);
      int width = s.u16(3);
      int n = s.u8(5);
      if (width == 0) {
        throw JpegException.corrupt("JPEG frame header declares width 0");
      }
      if (height == 0) {
        throw JpegException.unsupported("JPEG height defined by a DNL marker is not supported");
      }
      if (n != 1 && n != 3 && n != 4) {
        throw JpegException.unsupported("JPEG with " + n + " components is not supported");
      }
      if (s.length() < 6 + 3 * n) {
        throw JpegException.corrupt("JPEG frame header too short for " + n + " components");
      }
      int[][] sampling = new int[n][];
      for (int i = 0; i < n; i++) {
        int id = s.u8(6 + 3 * i);
        int hv = s.u8(7 + 3 * i);
        int tq = s.u8(8 + 3 * i);
        int h = hv >> 4;
        int v = hv & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3) {
          throw JpegException.corrupt(
              "JPEG component " + id + " has sampling " + h + "×" + v + ", table " + tq);
        }
        sampling[i] = new int[] {id, h, v, tq};
      }
      frame = new Frame(progressive, width, height, sampling);
    }

    private void readQuantTables(Segment s) {
      int i = 0;
      while (i < s.length()) {
        int pq = s.u8(i) >> 4;
        int tq = s.u8(i) & 15;
        if (pq > 1 || tq > 3) {
          throw JpegException.corrupt("JPEG quantisation table " + tq + " with precision " + pq);
        }
        int[] table = new int[64];
        for (int k = 0; k < 64; k++) {
          table[ScanDecoder.NATURAL_ORDER[k]] = pq == 0 ? s.u8(i + 1 + k) : s.u16(i + 1 + 2 * k);
        }
        quant[tq] = table;
        i += 1 + 64 * (pq + 1);
      }
    }

    private void readHuffmanTables(Segment s) {
      int i = 0;
      while (i < s.length()) {
        int tc = s.u8(i) >> 4;
        int th = s.u8(i) & 15;
        if (tc > 1 || th > 3) {
          throw JpegException.corrupt("JPEG Huffman table class " + tc + ", id " + th);
        }
        int[] counts = new int[16];
        int total = 0;
        for (int k = 0; k < 16; k++) {
          counts[k] = s.u8(i + 1 + k);
          total += counts[k];
        }
        if (total > 256) {
          throw JpegException.corrupt("JPEG Huffman table has " + total + " symbols");
        }
        byte[] symbols = new byte[total];
        for (int k = 0; k < total; k++) {
          symbols[k] = (byte) s.u8(i + 17 + k);
        }
        (tc == 0 ? dcTables : acTables)[th] = new HuffmanTable(counts, symbols, tc == 0);
        i += 17 + total;
      }
    }

    private void readIccChunk(Segment s) {
      if (startsWith(s, "ICC_PROFILE\0") && s.length() > 14) {
        int seq = s.u8(12);
        while (iccChunks.size() < seq) {
          iccChunks.add(null);
        }
        if (seq >= 1) {
          byte[] chunk = new byte[s.length() - 14];
          System.arraycopy(data, s.start() + 14, chunk, 0, chunk.length);
          iccChunks.set(seq - 1, chunk);
        }
      }
    }

    private byte[] icc() {
      if (iccChunks.isEmpty() || iccChunks.contains(null)) {
        return null;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      iccChunks.forEach(out::writeBytes);
      return out.toByteArray();
    }

    /**
     * Reads an SOS header, decodes its scan; returns the offset to look for the next marker from.
     */
    private int readScan(Segment s) {
      if (frame == null) {
        throw JpegException.corrupt("JPEG scan before the frame header");
      }
      int n = s.u8(0);
      if (n < 1 || n > 4 || s.length() < 4 + 2 * n) {
        throw JpegException.corrupt("JPEG scan header with " + n + " components");
      }
      Component[] components = new Component[n];
      int blocksPerMcu = 0;
      for (int i = 0; i < n; i++) {
        Component c = frame.byId(s.u8(1 + 2 * i));
        if (c == null) {
          throw JpegException.corrupt("JPEG scan names unknown component " + s.u8(1 + 2 * i));
        }
        int tables = s.u8(2 + 2 * i);
        if (tables >> 4 > 3 || (tables & 15) > 3) {
          throw JpegException.corrupt(
              "JPEG scan names Huffman tables " + (tables >> 4) + "/" + (tables & 15));
        }
        c.dcTable = dcTables[tables >> 4];
        c.acTable = acTables[tables & 15];
        components[i] = c;
        blocksPerMcu += c.h * c.v;
      }
      if (n > 1 && blocksPerMcu > 10) {
        throw JpegException.corrupt("JPEG MCU of " + blocksPerMcu + " blocks (more than 10)");
      }
      int ss = s.u8(1 + 2 * n);
      int se = s.u8(2 + 2 * n);
      int ah = s.u8(3 + 2 * n) >> 4;
      int al = s.u8(3 + 2 * n) & 15;
      if (frame.progressive) {
        checkProgressive(ss, se, ah, al, n);
      }
      chargeScan(components);
      boolean needsAc = !frame.progressive || ss > 0;
      boolean needsDc = !frame.progressive || (ss == 0 && ah == 0);
      for (Component c : components) {
        if ((needsDc && c.dcTable == null) || (needsAc && c.acTable == null)) {
          throw JpegException.corrupt("JPEG scan uses an undefined Huffman table");
        }
        prepare(c);
      }
      EntropyReader in = new EntropyReader(data, s.end(), data.length);
      new ScanDecoder(frame, components, in, restartInterval, ss, se, ah, al).decode();
      scans++;
      return in.position();
    }

    /** Refuses the scan about to be decoded when it would exceed the scan or work limit. */
    private void chargeScan(Component[] components) {
      if (scans + 1 > limits.maxScans()) {
        throw JpegException.limit("JPEG has more than " + limits.maxScans() + " scans (the limit)");
      }
      for (Component c : components) {
        work += (long) c.paddedBlocksPerLine * c.paddedBlocksPerColumn * 64;
      }
      if (work > limits.maxWork()) {
        throw JpegException.limit(
            "JPEG scans would decode more than "
                + limits.maxWork()
                + " coefficients (pixels × components × scans; the limit) by scan "
                + (scans + 1));
      }
    }

    private static void checkProgressive(int ss, int se, int ah, int al, int n) {
      boolean bad = ss == 0 ? se != 0 : (se < ss || se > 63 || n != 1);
      if (bad || (ah != 0 && al != ah - 1) || al > 13) {
        throw JpegException.corrupt(
            "JPEG progressive scan parameters Ss=" + ss + " Se=" + se + " Ah=" + ah + " Al=" + al);
      }
    }

    /** Latches the component's quantisation table and allocates its planes on its first scan. */
    private void prepare(Component c) {
      if (c.multipliers != null) {
        return;
      }
      int[] table = quant[c.quantTable];
      if (table == null) {
        throw JpegException.corrupt(
            "JPEG component " + c.id + " uses undefined quantisation table " + c.quantTable);
      }
      c.multipliers = FastIdct.multipliers(table);
      long blocks = (long) c.paddedBlocksPerLine * c.paddedBlocksPerColumn;
      c.plane = new byte[Math.toIntExact(blocks * 64)];
      if (frame.progressive) {
        c.coefficients = new short[Math.toIntExact(blocks * 64)];
      }
    }

    private JpegImage.Colors colors() {
      return switch (frame.components.size()) {
        case 1 -> JpegImage.Colors.GRAY;
        case 3 -> JpegImage.Colors.RGB;
        default -> JpegImage.Colors.CMYK;
      };
    }

    /** Whether the stored components are already the output colours (no YCbCr/YCCK transform). */
    boolean storedAsOutput() {
      int n = frame.components.size();
      if (n == 1) {
        return true;
      }
      if (jfif && n == 3) {
        return false;
      }
      if (adobeTransform >= 0) {
        return adobeTransform == 0;
      }
      if (n == 4) {
        return true;
      }
      List<Component> c = frame.components;
      return c.get(0).id == 'R' && c.get(1).id == 'G' && c.get(2).id == 'B';
    }
  }
}
