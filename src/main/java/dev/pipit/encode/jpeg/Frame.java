package dev.pipit.encode.jpeg;

import java.util.ArrayList;
import java.util.List;

/** The frame header (SOF) of a JPEG and the geometry that follows from it. */
final class Frame {

  final boolean progressive;
  final int width;
  final int height;
  final int maxH;
  final int maxV;
  final int mcusPerLine;
  final int mcusPerColumn;
  final List<Component> components = new ArrayList<>();

  /**
   * @param sampling per component: id, h, v, quantisation table index
   */
  Frame(boolean progressive, int width, int height, int[][] sampling) {
    this.progressive = progressive;
    this.width = width;
    this.height = height;
    int mh = 1;
    int mv = 1;
    for (int[] c : sampling) {
      mh = Math.max(mh, c[1]);
      mv = Math.max(mv, c[2]);
    }
    this.maxH = mh;
    this.maxV = mv;
    this.mcusPerLine = Component.ceilDiv(width, 8 * mh);
    this.mcusPerColumn = Component.ceilDiv(height, 8 * mv);
    for (int i = 0; i < sampling.length; i++) {
      int[] c = sampling[i];
      components.add(new Component(c[0], i, c[1], c[2], c[3], this));
    }
  }

  Component byId(int id) {
    for (Component c : components) {
      if (c.id == id) {
        return c;
      }
    }
    return null;
  }
}
