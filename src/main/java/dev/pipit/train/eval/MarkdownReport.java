package dev.pipit.train.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Markdown tables of evaluation results, for run reports and {@code docs/}. Numbers are percentages
 * with two decimals, as in the papers' tables (METHOD.md "Reference results").
 */
public final class MarkdownReport {

  private MarkdownReport() {}

  /** One row of a summary table: a label (method, dataset…) and its metrics. */
  public record Row(String label, RetrievalMetrics metrics) {}

  /**
   * One line per run: label, bits, queries, database size, mAP and every precision@k that all rows
   * share.
   */
  public static String summary(List<Row> rows) {
    SortedSet<Integer> ks = new TreeSet<>();
    if (!rows.isEmpty()) {
      rows.get(0).metrics().precisionAtK().forEach(p -> ks.add(p.k()));
    }
    for (Row row : rows) {
      ks.retainAll(row.metrics().precisionAtK().stream().map(PrecisionAtK::k).toList());
    }
    StringBuilder out = new StringBuilder("| run | bits | queries | database | mAP (%) |");
    ks.forEach(k -> out.append(" P@").append(k).append(" (%) |"));
    out.append("\n|---|---:|---:|---:|---:|");
    ks.forEach(k -> out.append("---:|"));
    out.append('\n');
    for (Row row : rows) {
      RetrievalMetrics m = row.metrics();
      out.append("| ")
          .append(escape(row.label()))
          .append(m.dropLast() ? " (drop last)" : "")
          .append(" | ")
          .append(m.bits())
          .append(" | ")
          .append(m.queries())
          .append(" | ")
          .append(m.database())
          .append(" | ")
          .append(percent(m.map()))
          .append(" |");
      for (int k : ks) {
        out.append(' ').append(percent(m.precisionAt(k))).append(" |");
      }
      out.append('\n');
    }
    return out.toString();
  }

  /**
   * mAP by method (rows) and code length (columns), the layout of the papers' main table. A missing
   * entry prints as an en dash.
   *
   * @param mapByMethod method name to (bits to mAP as a fraction), in the row order wanted
   */
  public static String mapByBits(Map<String, ? extends Map<Integer, Double>> mapByMethod) {
    SortedSet<Integer> bits = new TreeSet<>();
    mapByMethod.values().forEach(m -> bits.addAll(m.keySet()));
    StringBuilder out = new StringBuilder("| method |");
    bits.forEach(b -> out.append(' ').append(b).append(" bits |"));
    out.append("\n|---|");
    bits.forEach(b -> out.append("---:|"));
    out.append('\n');
    mapByMethod.forEach(
        (method, byBits) -> {
          out.append("| ").append(escape(method)).append(" |");
          for (int b : bits) {
            Double v = byBits.get(b);
            out.append(' ').append(v == null ? "–" : percent(v)).append(" |");
          }
          out.append('\n');
        });
    return out.toString();
  }

  /** The precision–recall points of one run, one line per radius. */
  public static String prCurve(RetrievalMetrics metrics) {
    List<String> lines = new ArrayList<>();
    lines.add("| radius | precision (%) | recall (%) | queries retrieving |");
    lines.add("|---:|---:|---:|---:|");
    for (PrPoint p : metrics.prCurve()) {
      lines.add(
          "| "
              + p.radius()
              + " | "
              + percent(p.precision())
              + " | "
              + percent(p.recall())
              + " | "
              + p.queriesRetrieving()
              + " |");
    }
    return String.join("\n", lines) + "\n";
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.2f", 100 * fraction);
  }

  private static String escape(String cell) {
    return cell.replace("|", "\\|").replace("\n", " ");
  }
}
