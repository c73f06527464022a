package dev.pipit.encode.jpeg;

/** One colour component of a frame: its sampling, its geometry and where its decoded data goes. */
final class Component {

  final int id;
  final int index;
  final int h;
  final int v;
  final int quantTable;

  /** Samples per line and lines, as libjpeg's {@code downsampled_width}/{@code _height}. */
  final int width;

  final int height;

  /** Blocks that hold the component's own samples (a non-interleaved scan covers exactly these). */
  final int blocksPerLine;

  final int blocksPerColumn;

  /** Blocks per line and column including the padding of whole MCUs (interleaved scans). */
  final int paddedBlocksPerLine;

  final int paddedBlocksPerColumn;

  /** Samples, {@code paddedBlocksPerLine · 8} per row; null until the first scan. */
  byte[] plane;

  /** Progressive only: coefficients in natural order, 64 per block, blocks row by row. */
  short[] coefficients;

  /** IDCT multipliers of the quantisation table latched at the component's first scan. */
  int[] multipliers;

  int dcPredictor;
  HuffmanTable dcTable;
  HuffmanTable acTable;

  Component(int id, int index, int h, int v, int quantTable, Frame frame) {
    this.id = id;
    this.index = index;
    this.h = h;
    this.v = v;
    this.quantTable = quantTable;
    this.width = ceilDiv(frame.width * h, frame.maxH);
    this.height = ceilDiv(frame.height * v, frame.maxV);
    this.blocksPerLine = ceilDiv(width, 8);
    this.blocksPerColumn = ceilDiv(height, 8);
    this.paddedBlocksPerLine = frame.mcusPerLine * h;
    this.paddedBlocksPerColumn = frame.mcusPerColumn * v;
  }

  int stride() {
    return paddedBlocksPerLine * 8;
  }

  static int ceilDiv(long a, int b) {
    return (int) ((a + b - 1) / b);
  }
}
