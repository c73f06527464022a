package dev.pipit.cli;

import dev.pipit.gallery.GallerySearch;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Retrieval quality of served searches and how the gallery's codes use their bits: precision@k and
 * mean average precision from {@link GallerySearch} answers, and bucket occupancy (distinct codes,
 * largest bucket, bit balance) from the index's own entries.
 */
final class DemoQuality {

  private DemoQuality() {}

  /** Mean precision of the first {@code k} hits and mean average precision over whole rankings. */
  static final class Precision {
    private double precisionSum;
    private double apSum;
    private int queries;

    /**
     * Adds one query.
     *
     * @param topK the hits of its top-k search
     * @param ranking its ranking of the whole gallery
     * @param label its class
     * @param relevant gallery items of that class
     */
    void add(
        List<GallerySearch.Hit> topK,
        List<GallerySearch.Hit> ranking,
        String label,
        int k,
        int relevant) {
      long same = topK.stream().filter(h -> label.equals(h.label())).count();
      precisionSum += (double) same / k;
      double ap = 0;
      int found = 0;
      for (int rank = 0; rank < ranking.size(); rank++) {
        if (label.equals(ranking.get(rank).label())) {
          found++;
          ap += (double) found / (rank + 1);
        }
      }
      apSum += relevant == 0 ? 0 : ap / relevant;
      queries++;
    }

    double precision() {
      return precisionSum / queries;
    }

    double map() {
      return apSum / queries;
    }
  }

  /**
   * Which classes fill the top-k of each query class: where the misses of precision@k go (e.g.
   * Shirt queries answered with T-shirts), so a recipe change can be aimed at the confused pairs.
   */
  static final class Confusion {
    private final Map<String, Map<String, Integer>> hits = new TreeMap<>();

    /** Adds the top-k hits of one query of class {@code label}. */
    void add(String label, List<GallerySearch.Hit> topK) {
      Map<String, Integer> row = hits.computeIfAbsent(label, l -> new TreeMap<>());
      for (GallerySearch.Hit h : topK) {
        row.merge(h.label(), 1, Integer::sum);
      }
    }

    /** Fraction of the top-k hits of {@code label}'s queries that are of class {@code hit}. */
    double fraction(String label, String hit) {
      Map<String, Integer> row = hits.getOrDefault(label, Map.of());
      int total = row.values().stream().mapToInt(Integer::intValue).sum();
      return total == 0 ? 0 : (double) row.getOrDefault(hit, 0) / total;
    }

    /**
     * One line per query class: the fraction of its top-k of its own class, then the other classes
     * it is answered with, most frequent first (at most {@code others}).
     */
    List<String> lines(int others) {
      List<String> lines = new ArrayList<>();
      hits.forEach(
          (label, row) -> {
            StringBuilder line =
                new StringBuilder(
                    String.format(Locale.ROOT, "%-12s same %.3f", label, fraction(label, label)));
            row.entrySet().stream()
                .filter(e -> !e.getKey().equals(label))
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(others)
                .forEach(
                    e ->
                        line.append(
                            String.format(
                                Locale.ROOT,
                                ", %s %.3f",
                                e.getKey(),
                                fraction(label, e.getKey()))));
            lines.add(line.toString());
          });
      return lines;
    }
  }

  /**
   * How the gallery's codes spread.
   *
   * @param items entries
   * @param distinct distinct codes
   * @param largest entries sharing the most common code
   * @param largestLabels classes mixed in that bucket
   * @param minOnes smallest fraction of entries with a bit set, over the bits
   * @param maxOnes largest such fraction
   */
  record Occupancy(
      int items, int distinct, int largest, int largestLabels, double minOnes, double maxOnes) {}

  /** Occupancy of {@code index}; {@code labels} maps its ids to their classes. */
  static Occupancy occupancy(HammingIndex index, Map<String, String> labels) {
    Map<Code, List<String>> buckets = new HashMap<>();
    int[] ones = new int[index.bits()];
    int[] items = {0};
    index.forEach(
        entry -> {
          items[0]++;
          buckets.computeIfAbsent(entry.code(), c -> new ArrayList<>()).add(entry.id());
          for (int b = 0; b < ones.length; b++) {
            if (entry.code().bit(b)) {
              ones[b]++;
            }
          }
        });
    List<String> largest = List.of();
    for (List<String> bucket : buckets.values()) {
      if (bucket.size() > largest.size()) {
        largest = bucket;
      }
    }
    double min = 1;
    double max = 0;
    for (int count : ones) {
      double fraction = items[0] == 0 ? 0 : (double) count / items[0];
      min = Math.min(min, fraction);
      max = Math.max(max, fraction);
    }
    long mixed = largest.stream().map(labels::get).distinct().count();
    return new Occupancy(items[0], buckets.size(), largest.size(), (int) mixed, min, max);
  }
}
