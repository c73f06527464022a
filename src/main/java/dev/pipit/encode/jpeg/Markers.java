package dev.pipit.encode.jpeg;

/** Finding markers in a JPEG byte stream. */
final class Markers {

  private Markers() {}

  /**
   * Offset of the code byte of the next marker at or after {@code from}: an {@code FF} (or a run of
   * them, which are fill bytes) followed by a byte other than 0. Bytes before it are skipped, as
   * libjpeg skips extraneous bytes between segments. -1 when there is none before {@code end}.
   */
  static int find(byte[] data, int from, int end) {
    int i = Math.max(from, 0);
    while (i < end) {
      if (data[i] != (byte) 0xff) {
        i++;
        continue;
      }
      int q = i + 1;
      while (q < end && data[q] == (byte) 0xff) {
        q++;
      }
      if (q >= end) {
        return -1;
      }
      if (data[q] != 0) {
        return q;
      }
      i = q + 1;
    }
    return -1;
  }
}
