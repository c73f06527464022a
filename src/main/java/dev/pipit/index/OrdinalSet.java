package dev.pipit.index;

/** A growable open-addressing set of non-negative ints, for de-duplicating candidate ordinals. */
final class OrdinalSet {

  private int[] slots = new int[1024];
  private int size;

  OrdinalSet() {
    java.util.Arrays.fill(slots, -1);
  }

  /** Adds {@code value}; returns false if it was already present. */
  boolean add(int value) {
    int mask = slots.length - 1;
    int i = mix(value) & mask;
    while (slots[i] != -1) {
      if (slots[i] == value) {
        return false;
      }
      i = (i + 1) & mask;
    }
    slots[i] = value;
    if (++size * 2 > slots.length) {
      rehash();
    }
    return true;
  }

  int size() {
    return size;
  }

  private void rehash() {
    int[] old = slots;
    slots = new int[old.length * 2];
    java.util.Arrays.fill(slots, -1);
    int mask = slots.length - 1;
    for (int v : old) {
      if (v != -1) {
        int i = mix(v) & mask;
        while (slots[i] != -1) {
          i = (i + 1) & mask;
        }
        slots[i] = v;
      }
    }
  }

  private static int mix(int v) {
    int h = v * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
