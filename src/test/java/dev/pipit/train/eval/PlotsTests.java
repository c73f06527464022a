package dev.pipit.train.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTests {

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path dir;

  @Test
  void mapVsBitsIsAPngOfTheRequestedSize() throws IOException {
    Map<String, Map<Integer, Double>> map = new LinkedHashMap<>();
    map.put("FCAENet", Map.of(12, 0.3476, 24, 0.6767, 32, 0.7385, 48, 0.8014));
    map.put("ADSH", Map.of(12, 0.2003, 24, 0.5033, 32, 0.6168, 48, 0.6543));
    Path png = dir.resolve("plots/map-vs-bits.png");
    Plots.mapVsBits(map, "CUB-200-2011", png, 640, 420);
    BufferedImage image = readPng(png);
    assertThat(image.getWidth()).isEqualTo(640);
    assertThat(image.getHeight()).isEqualTo(420);
    assertThat(distinctColours(image))
        .isGreaterThan(10); // lines, markers, text: not a blank canvas
  }

  @Test
  void prCurvesIsAPngOfTheRequestedSize() throws IOException {
    Map<String, List<PrPoint>> curves = new LinkedHashMap<>();
    curves.put("A", curve(0.9, 0.1));
    curves.put("B", curve(0.7, 0.05));
    Path png = dir.resolve("pr.png");
    Plots.prCurves(curves, "PR @ 48 bits", png, 500, 500);
    BufferedImage image = readPng(png);
    assertThat(image.getWidth()).isEqualTo(500);
    assertThat(image.getHeight()).isEqualTo(500);
    assertThat(distinctColours(image)).isGreaterThan(10);
  }

  @Test
  void gridFramesResultsGreenOrRedByLabel() throws IOException {
    RetrievalGrid.Layout layout = new RetrievalGrid.Layout(20, 3, 4);
    int[] dbLabels = {0, 1, 0, 2, 1};
    List<BufferedImage> db = new ArrayList<>();
    for (int i = 0; i < dbLabels.length; i++) {
      db.add(solid(16 + i, 12, new Color(40 * i, 40 * i, 40 * i)));
    }
    List<BufferedImage> queries =
        List.of(solid(10, 10, Color.GRAY), solid(30, 20, Color.DARK_GRAY));
    int[] queryLabels = {0, 1};
    int[][] ranked = {{2, 1, 0}, {4, 3}};

    Path png = dir.resolve("grid.png");
    RetrievalGrid.write(queries, queryLabels, ranked, dbLabels, db::get, layout, png);
    BufferedImage grid = readPng(png);

    int cell = layout.cell();
    assertThat(grid.getWidth()).isEqualTo(4 + cell + 3 * (4 + cell) + 8 + 4);
    assertThat(grid.getHeight()).isEqualTo(4 + 2 * (cell + 4));
    // Width: gap, query cell, 3 result cells each preceded by a gap, the 2-gap separator, a closing
    // gap.
    // Row 0 (label 0): db2 (0) correct, db1 (1) wrong, db0 (0) correct. Row 1 (label 1): db4
    // correct, db3 wrong.
    Color[][] expected = {
      {RetrievalGrid.CORRECT, RetrievalGrid.WRONG, RetrievalGrid.CORRECT},
      {RetrievalGrid.CORRECT, RetrievalGrid.WRONG}
    };
    for (int r = 0; r < 2; r++) {
      assertFrame(
          grid,
          RetrievalGrid.cellX(0, layout),
          RetrievalGrid.cellY(r, layout),
          layout,
          RetrievalGrid.QUERY);
      for (int c = 0; c < expected[r].length; c++) {
        assertFrame(
            grid,
            RetrievalGrid.cellX(c + 1, layout),
            RetrievalGrid.cellY(r, layout),
            layout,
            expected[r][c]);
      }
    }
    // Row 1 shows two results: the third cell stays background.
    assertThat(grid.getRGB(RetrievalGrid.cellX(3, layout) + 1, RetrievalGrid.cellY(1, layout) + 1))
        .isEqualTo(Color.WHITE.getRGB());
    // The image itself sits inside the frame: the centre of db2's cell has db2's grey (80, 80, 80).
    int cx = RetrievalGrid.cellX(1, layout) + cell / 2;
    int cy = RetrievalGrid.cellY(0, layout) + cell / 2;
    assertThat(new Color(grid.getRGB(cx, cy))).isEqualTo(new Color(80, 80, 80));
  }

  /** All four sides of the frame have the colour, sampled at their middles and at a corner. */
  private static void assertFrame(
      BufferedImage grid, int x, int y, RetrievalGrid.Layout layout, Color colour) {
    int cell = layout.cell();
    int[][] points = {
      {x, y},
      {x + cell / 2, y + 1},
      {x + 1, y + cell / 2},
      {x + cell - 1, y + cell / 2},
      {x + cell / 2, y + cell - 2}
    };
    for (int[] p : points) {
      assertThat(new Color(grid.getRGB(p[0], p[1])))
          .as("frame pixel at %d,%d", p[0], p[1])
          .isEqualTo(colour);
    }
  }

  private static List<PrPoint> curve(double start, double end) {
    List<PrPoint> points = new ArrayList<>();
    for (int r = 0; r <= 16; r++) {
      double t = r / 16.0;
      points.add(new PrPoint(r, start + (end - start) * t, t * t * (3 - 2 * t), r == 0 ? 0 : 10));
    }
    return points;
  }

  private static BufferedImage solid(int w, int h, Color colour) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(colour);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return image;
  }

  private static BufferedImage readPng(Path png) throws IOException {
    byte[] head = new byte[8];
    System.arraycopy(Files.readAllBytes(png), 0, head, 0, 8);
    assertThat(head).containsExactly(PNG_SIGNATURE);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).isNotNull();
    return image;
  }

  private static long distinctColours(BufferedImage image) {
    return IntStream.range(0, image.getWidth() * image.getHeight())
        .map(i -> image.getRGB(i % image.getWidth(), i / image.getWidth()))
        .distinct()
        .count();
  }
}
