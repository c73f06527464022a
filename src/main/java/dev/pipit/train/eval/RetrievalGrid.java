package dev.pipit.train.eval;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The deep-hashing papers' qualitative figure: one row per query, the query image first (blue
 * frame), then a gap and its top-ranked database images, framed green when the label matches the
 * query's and red when it does not.
 *
 * <p>Geometry (all in pixels, so tests and captions can find things): a cell is {@code tile +
 * 2*border} square; cell {@code (row, column)} starts at {@link #cellX}/{@link #cellY}; images are
 * scaled to fit the {@code tile} square, centred on white.
 */
public final class RetrievalGrid {

  /** Frame colour of a correct (same-label) result. */
  public static final Color CORRECT = new Color(0, 170, 0);

  /** Frame colour of a wrong result. */
  public static final Color WRONG = new Color(220, 0, 0);

  /** Frame colour of the query image. */
  public static final Color QUERY = new Color(30, 90, 220);

  /** Where one image is read from, e.g. {@code split::image} of a {@code DatasetSplit}. */
  @FunctionalInterface
  public interface ImageSource {
    /** Image at database index {@code index}. */
    BufferedImage image(int index) throws IOException;
  }

  /**
   * Sizes of the grid.
   *
   * @param tile side of the square each image is scaled into
   * @param border frame width
   * @param gap space between cells (and twice that between the query and its results)
   */
  public record Layout(int tile, int border, int gap) {

    /** Checks sizes. */
    public Layout {
      if (tile < 1 || border < 1 || gap < 0) {
        throw new IllegalArgumentException("tile and border must be positive, gap non-negative");
      }
    }

    /** 96-pixel tiles, 4-pixel frames, 6-pixel gaps. */
    public static Layout defaults() {
      return new Layout(96, 4, 6);
    }

    /** Side of a framed cell. */
    public int cell() {
      return tile + 2 * border;
    }
  }

  private RetrievalGrid() {}

  /** Left edge of the cell in {@code column} (0 = query, 1.. = results). */
  public static int cellX(int column, Layout layout) {
    return layout.gap()
        + column * (layout.cell() + layout.gap())
        + (column > 0 ? 2 * layout.gap() : 0);
  }

  /** Top edge of the cell in {@code row}. */
  public static int cellY(int row, Layout layout) {
    return layout.gap() + row * (layout.cell() + layout.gap());
  }

  /**
   * Draws the grid.
   *
   * @param queryImages one image per row
   * @param queryLabels the label of each query
   * @param ranked for each query, the database indices to show in rank order (e.g. {@link
   *     HammingRanking#topK}); rows may differ in length
   * @param databaseLabels labels of the whole database, indexed like {@code ranked}
   * @param database loads a database image by index
   */
  public static BufferedImage render(
      List<BufferedImage> queryImages,
      int[] queryLabels,
      int[][] ranked,
      int[] databaseLabels,
      ImageSource database,
      Layout layout)
      throws IOException {
    int rows = queryImages.size();
    if (queryLabels.length != rows || ranked.length != rows || rows == 0) {
      throw new IllegalArgumentException(
          "need one label and one ranking per query: "
              + rows
              + " images, "
              + queryLabels.length
              + " labels, "
              + ranked.length
              + " rankings");
    }
    int columns = 0;
    for (int[] row : ranked) {
      columns = Math.max(columns, row.length);
    }
    int width =
        cellX(columns, layout) + layout.cell() + layout.gap(); // right edge of the last result
    int height = cellY(rows, layout);
    BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      for (int r = 0; r < rows; r++) {
        drawCell(g, queryImages.get(r), QUERY, cellX(0, layout), cellY(r, layout), layout);
        for (int c = 0; c < ranked[r].length; c++) {
          int index = ranked[r][c];
          Color frame = databaseLabels[index] == queryLabels[r] ? CORRECT : WRONG;
          drawCell(g, database.image(index), frame, cellX(c + 1, layout), cellY(r, layout), layout);
        }
      }
    } finally {
      g.dispose();
    }
    return grid;
  }

  /** {@link #render} and write the result as PNG. */
  public static void write(
      List<BufferedImage> queryImages,
      int[] queryLabels,
      int[][] ranked,
      int[] databaseLabels,
      ImageSource database,
      Layout layout,
      Path png)
      throws IOException {
    BufferedImage grid = render(queryImages, queryLabels, ranked, databaseLabels, database, layout);
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(grid, "png", png.toFile())) {
      throw new IOException("no PNG writer available for " + png);
    }
  }

  private static void drawCell(
      Graphics2D g, BufferedImage image, Color frame, int x, int y, Layout layout) {
    g.setColor(frame);
    g.fillRect(x, y, layout.cell(), layout.cell());
    g.setColor(Color.WHITE);
    int inner = layout.tile();
    int ix = x + layout.border();
    int iy = y + layout.border();
    g.fillRect(ix, iy, inner, inner);
    double scale = Math.min(inner / (double) image.getWidth(), inner / (double) image.getHeight());
    int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
    int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
    g.drawImage(image, ix + (inner - w) / 2, iy + (inner - h) / 2, w, h, null);
  }
}
