package dev.pipit.encode.jpeg;

import java.util.Arrays;

/**
 * Decodes the entropy-coded data of one scan (JPEG spec Annex F for sequential, G for progressive
 * Huffman coding) into the components' sample planes (sequential: dequantised and transformed block
 * by block) or coefficient arrays (progressive: transformed once all scans are in).
 */
final class ScanDecoder {

  /**
   * Zig-zag index → natural index, padded with 63s so that a corrupt run past the end stays in
   * range.
   */
  static final int[] NATURAL_ORDER = new int[64 + 16];

  static {
    int[] zigzag = {
      0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27,
      20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58,
      59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63
    };
    System.arraycopy(zigzag, 0, NATURAL_ORDER, 0, 64);
    Arrays.fill(NATURAL_ORDER, 64, NATURAL_ORDER.length, 63);
  }

  private enum Pass {
    SEQUENTIAL,
    DC_FIRST,
    DC_REFINE,
    AC_FIRST,
    AC_REFINE
  }

  private final Frame frame;
  private final Component[] components;
  private final EntropyReader in;
  private final int restartInterval;
  private final Pass pass;
  private final int ss;
  private final int se;
  private final int al;
  private final short[] block = new short[64];
  private final int[] workspace = new int[FastIdct.WORKSPACE];
  private int eobRun;

  ScanDecoder(
      Frame frame,
      Component[] components,
      EntropyReader in,
      int restartInterval,
      int ss,
      int se,
      int ah,
      int al) {
    this.frame = frame;
    this.components = components;
    this.in = in;
    this.restartInterval = restartInterval;
    this.ss = ss;
    this.se = se;
    this.al = al;
    if (!frame.progressive) {
      pass = Pass.SEQUENTIAL;
    } else if (ss == 0) {
      pass = ah == 0 ? Pass.DC_FIRST : Pass.DC_REFINE;
    } else {
      pass = ah == 0 ? Pass.AC_FIRST : Pass.AC_REFINE;
    }
  }

  /** Decodes every MCU of the scan. */
  void decode() {
    for (Component c : components) {
      c.dcPredictor = 0;
    }
    boolean single = components.length == 1;
    Component only = components[0];
    int mcusPerLine = single ? only.blocksPerLine : frame.mcusPerLine;
    int mcus =
        single
            ? only.blocksPerLine * only.blocksPerColumn
            : frame.mcusPerLine * frame.mcusPerColumn;
    int restartsSeen = 0;
    for (int mcu = 0; mcu < mcus; mcu++) {
      if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) {
        in.restart(restartsSeen++ & 7);
        eobRun = 0;
        for (Component c : components) {
          c.dcPredictor = 0;
        }
      }
      int mcuRow = mcu / mcusPerLine;
      int mcuCol = mcu % mcusPerLine;
      if (single) {
        decodeBlock(only, mcuRow, mcuCol);
      } else {
        for (Component c : components) {
          for (int by = 0; by < c.v; by++) {
            for (int bx = 0; bx < c.h; bx++) {
              decodeBlock(c, mcuRow * c.v + by, mcuCol * c.h + bx);
            }
          }
        }
      }
      in.checkNotOverrun();
    }
  }

  private void decodeBlock(Component c, int blockRow, int blockCol) {
    if (pass == Pass.SEQUENTIAL) {
      Arrays.fill(block, (short) 0);
      decodeSequential(c, block);
      int stride = c.stride();
      FastIdct.transform(
          block,
          0,
          c.multipliers,
          workspace,
          c.plane,
          blockRow * 8 * stride + blockCol * 8,
          stride);
      return;
    }
    short[] coef = c.coefficients;
    int at = (blockRow * c.paddedBlocksPerLine + blockCol) * 64;
    switch (pass) {
      case DC_FIRST -> {
        c.dcPredictor += in.receiveExtend(in.decode(c.dcTable));
        coef[at] = (short) (c.dcPredictor << al);
      }
      case DC_REFINE -> {
        if (in.bit() != 0) {
          coef[at] |= (short) (1 << al);
        }
      }
      case AC_FIRST -> decodeAcFirst(c, coef, at);
      case AC_REFINE -> decodeAcRefine(c, coef, at);
      default -> throw new IllegalStateException(pass.name());
    }
  }

  private void decodeSequential(Component c, short[] coef) {
    c.dcPredictor += in.receiveExtend(in.decode(c.dcTable));
    coef[0] = (short) c.dcPredictor;
    HuffmanTable ac = c.acTable;
    for (int k = 1; k < 64; k++) {
      int rs = in.decode(ac);
      int r = rs >> 4;
      int s = rs & 15;
      if (s != 0) {
        k += r;
        coef[NATURAL_ORDER[k]] = (short) in.receiveExtend(s);
      } else if (r == 15) {
        k += 15;
      } else {
        break;
      }
    }
  }

  private void decodeAcFirst(Component c, short[] coef, int at) {
    if (eobRun > 0) {
      eobRun--;
      return;
    }
    for (int k = ss; k <= se; k++) {
      int rs = in.decode(c.acTable);
      int r = rs >> 4;
      int s = rs & 15;
      if (s != 0) {
        k += r;
        coef[at + NATURAL_ORDER[k]] = (short) (in.receiveExtend(s) * (1 << al));
      } else if (r == 15) {
        k += 15;
      } else {
        eobRun = (1 << r) - 1;
        if (r != 0) {
          eobRun += in.bits(r);
        }
        break;
      }
    }
  }

  /** Successive approximation of AC coefficients (G.1.2.3), as libjpeg's decode_mcu_AC_refine. */
  private void decodeAcRefine(Component c, short[] coef, int at) {
    int p1 = 1 << al;
    int m1 = -1 << al;
    int k = ss;
    if (eobRun == 0) {
      for (; k <= se; k++) {
        int rs = in.decode(c.acTable);
        int r = rs >> 4;
        int s = rs & 15;
        if (s != 0) {
          // s must be 1; libjpeg tolerates other values the same way.
          s = in.bit() != 0 ? p1 : m1;
        } else if (r != 15) {
          eobRun = 1 << r;
          if (r != 0) {
            eobRun += in.bits(r);
          }
          break;
        }
        // Skip r zero coefficients (refining the non-zero ones passed), then place the new one.
        do {
          int pos = at + NATURAL_ORDER[k];
          if (coef[pos] != 0) {
            refine(coef, pos, p1, m1);
          } else if (--r < 0) {
            break;
          }
          k++;
        } while (k <= se);
        if (s != 0) {
          coef[at + NATURAL_ORDER[k]] = (short) s;
        }
      }
    }
    if (eobRun > 0) {
      for (; k <= se; k++) {
        int pos = at + NATURAL_ORDER[k];
        if (coef[pos] != 0) {
          refine(coef, pos, p1, m1);
        }
      }
      eobRun--;
    }
  }

  private void refine(short[] coef, int pos, int p1, int m1) {
    if (in.bit() != 0 && (coef[pos] & p1) == 0) {
      coef[pos] += (short) (coef[pos] >= 0 ? p1 : m1);
    }
  }
}
