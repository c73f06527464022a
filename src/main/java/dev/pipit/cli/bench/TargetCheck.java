package dev.pipit.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The expected shape of the results table, checked against measured mAP (learned database
 * codes): LSH &lt; ITQ &lt; ADSH-R50 ≤ FCAENet and AGMH at every code length, AGMH ≥ ADSH-R50 + 2
 * points at 12 bits, and AGMH ≥ 0.88 at 48 bits. Each check says by how much it holds or misses; a
 * check whose methods were not run is reported as not run.
 */
public final class TargetCheck {

  /**
   * @param target what is expected
   * @param status {@code met}, {@code missed} or {@code not run}
   * @param detail the margin in mAP points
   */
  public record Outcome(String target, String status, String detail) {}

  /** AGMH's margin over ADSH-R50 at 12 bits, as a fraction. */
  static final double AGMH_MARGIN_12 = 0.02;

  /** AGMH's mAP at 48 bits, as a fraction. */
  static final double AGMH_AT_48 = 0.88;

  private TargetCheck() {}

  /** Evaluates every target. */
  public static List<Outcome> check(List<RetrievalBench.Case> cases) {
    Map<String, Map<Integer, Double>> map = new TreeMap<>();
    TreeSet<Integer> allBits = new TreeSet<>();
    for (RetrievalBench.Case c : cases) {
      map.computeIfAbsent(c.method(), k -> new TreeMap<>()).put(c.bits(), c.learned().map());
      allBits.add(c.bits());
    }
    List<Outcome> out = new ArrayList<>();
    for (int bits : allBits) {
      out.add(less(map, "lsh", "itq", bits, true));
      out.add(less(map, "itq", "adsh-r50", bits, true));
      out.add(less(map, "adsh-r50", "fcaenet", bits, false));
      out.add(less(map, "adsh-r50", "agmh", bits, false));
    }
    Double agmh12 = get(map, "agmh", 12);
    Double adsh12 = get(map, "adsh-r50", 12);
    String t1 = "AGMH ≥ ADSH-R50 + 2 points at 12 bits";
    if (agmh12 == null || adsh12 == null) {
      out.add(new Outcome(t1, "not run", ""));
    } else {
      double margin = agmh12 - adsh12 - AGMH_MARGIN_12;
      out.add(
          new Outcome(
              t1,
              margin >= 0 ? "met" : "missed",
              String.format(
                  Locale.ROOT, "AGMH − ADSH-R50 = %+.2f points", 100 * (agmh12 - adsh12))));
    }
    Double agmh48 = get(map, "agmh", 48);
    String t2 = "AGMH ≥ 88 % mAP at 48 bits";
    if (agmh48 == null) {
      out.add(new Outcome(t2, "not run", ""));
    } else {
      out.add(
          new Outcome(
              t2,
              agmh48 >= AGMH_AT_48 ? "met" : "missed",
              String.format(
                  Locale.ROOT,
                  "%.2f %% (%+.2f points)",
                  100 * agmh48,
                  100 * (agmh48 - AGMH_AT_48))));
    }
    return out;
  }

  /** The checks as a Markdown section. */
  public static String markdown(List<RetrievalBench.Case> cases) {
    StringBuilder md =
        new StringBuilder("## Targets\n\n| expected | status | margin |\n|---|---|---|\n");
    for (Outcome o : check(cases)) {
      md.append("| ")
          .append(o.target())
          .append(" | ")
          .append(o.status())
          .append(" | ")
          .append(o.detail())
          .append(" |\n");
    }
    return md.toString();
  }

  private static Outcome less(
      Map<String, Map<Integer, Double>> map, String low, String high, int bits, boolean strict) {
    String target =
        ResultsReport.displayName(low)
            + (strict ? " < " : " ≤ ")
            + ResultsReport.displayName(high)
            + " at "
            + bits
            + " bits";
    Double a = get(map, low, bits);
    Double b = get(map, high, bits);
    if (a == null || b == null) {
      return new Outcome(target, "not run", "");
    }
    boolean met = strict ? a < b : a <= b;
    return new Outcome(
        target,
        met ? "met" : "missed",
        String.format(Locale.ROOT, "%.2f vs %.2f (%+.2f points)", 100 * a, 100 * b, 100 * (b - a)));
  }

  private static Double get(Map<String, Map<Integer, Double>> map, String method, int bits) {
    Map<Integer, Double> row = map.get(method);
    return row == null ? null : row.get(bits);
  }
}
