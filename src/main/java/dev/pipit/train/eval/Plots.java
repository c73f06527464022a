package dev.pipit.train.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts of evaluation results, written as PNG with XChart (headless; no display needed). */
public final class Plots {

  private Plots() {}

  /**
   * mAP against code length, one line per method, as in the papers' "mAP vs bits" figures.
   *
   * @param mapByMethod method to (bits to mAP as a fraction); plotted in percent, in map order
   */
  public static void mapVsBits(
      Map<String, ? extends Map<Integer, Double>> mapByMethod,
      String title,
      Path png,
      int width,
      int height)
      throws IOException {
    XYChart chart = chart(title, "code length (bits)", "mAP (%)", width, height);
    for (Map.Entry<String, ? extends Map<Integer, Double>> method : mapByMethod.entrySet()) {
      List<Integer> bits = method.getValue().keySet().stream().sorted().toList();
      if (bits.isEmpty()) {
        continue;
      }
      List<Double> map = bits.stream().map(b -> 100 * method.getValue().get(b)).toList();
      XYSeries series = chart.addSeries(method.getKey(), bits, map);
      series.setMarker(SeriesMarkers.CIRCLE);
    }
    chart.getStyler().setYAxisMin(0.0);
    write(chart, png);
  }

  /**
   * Precision–recall curves over Hamming radii, one per method at one code length. Radii where no
   * query retrieves anything are left out (their precision is a convention, see {@link PrPoint}).
   */
  public static void prCurves(
      Map<String, List<PrPoint>> curves, String title, Path png, int width, int height)
      throws IOException {
    XYChart chart = chart(title, "recall", "precision", width, height);
    for (Map.Entry<String, List<PrPoint>> curve : curves.entrySet()) {
      List<Double> recall = new ArrayList<>();
      List<Double> precision = new ArrayList<>();
      for (PrPoint p : curve.getValue()) {
        if (p.queriesRetrieving() > 0) {
          recall.add(p.recall());
          precision.add(p.precision());
        }
      }
      if (recall.isEmpty()) {
        continue;
      }
      XYSeries series = chart.addSeries(curve.getKey(), recall, precision);
      series.setMarker(SeriesMarkers.CIRCLE);
    }
    XYStyler style = chart.getStyler();
    style.setXAxisMin(0.0);
    style.setXAxisMax(1.0);
    style.setYAxisMin(0.0);
    style.setYAxisMax(1.0);
    write(chart, png);
  }

  private static XYChart chart(String title, String x, String y, int width, int height) {
    XYChart chart =
        new XYChartBuilder()
            .width(width)
            .height(height)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    XYStyler style = chart.getStyler();
    style.setLegendPosition(Styler.LegendPosition.InsideSE);
    style.setChartBackgroundColor(Color.WHITE);
    style.setPlotGridLinesVisible(true);
    style.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    style.setAntiAlias(true);
    style.setMarkerSize(7);
    style.setSeriesLines(new BasicStroke[] {new BasicStroke(2f)});
    return chart;
  }

  private static void write(XYChart chart, Path png) throws IOException {
    BufferedImage image = BitmapEncoder.getBufferedImage(chart);
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer available for " + png);
    }
  }
}
