package dev.simmatch.report;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** XChart charts in one house style, rendered headless to PNG files. */
public final class Charts {
  public static final int WIDTH = 640;
  public static final int HEIGHT = 420;

  static {
    // Charts are drawn into images on machines without a display.
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** A line chart with markers; add series with {@code chart.addSeries(name, x, y)}. */
  public static XYChart lines(String title, String xTitle, String yTitle) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
        .build();
    style(c.getStyler());
    // Below the plot: an inside legend can hide the end of a curve.
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setMarkerSize(5);
    return c;
  }

  /** A grouped bar chart; every series must use the same categories. */
  public static CategoryChart bars(String title, String xTitle, String yTitle) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(c.getStyler());
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setLabelsVisible(true);
    c.getStyler().setDecimalPattern("#,##0");
    c.getStyler().setYAxisMin(0.0);
    return c;
  }

  /** One colour per algorithm, the same in every chart (others: XChart's palette). */
  public static Color colorOf(String algorithm) {
    return switch (algorithm) {
      case "supervised" -> new Color(0x4C, 0x72, 0xB0);
      case "fixmatch" -> new Color(0xDD, 0x84, 0x52);
      case "simmatch" -> new Color(0x81, 0x4B, 0xC8);
      case "remixmatch" -> new Color(0x55, 0xA8, 0x68);
      default -> null;
    };
  }

  private static void style(Styler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setLegendBorderColor(Color.LIGHT_GRAY);
  }

  /** Writes the charts as one PNG, laid out in a grid of {@code rows} x {@code cols}. */
  public static <T extends Chart<?, ?>> void writePng(Path file, List<T> charts, int rows, int cols) {
    if (charts.isEmpty() || rows * cols < charts.size()) {
      throw new IllegalArgumentException(charts.size() + " charts do not fit a " + rows + "x" + cols + " grid");
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      if (charts.size() == 1) {
        BitmapEncoder.saveBitmap(charts.get(0), png, BitmapEncoder.BitmapFormat.PNG);
      } else {
        BitmapEncoder.saveBitmap(charts, rows, cols, png, BitmapEncoder.BitmapFormat.PNG);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + file, e);
    }
    Output.write(file, png.toByteArray());
  }
}
