package dev.pipit.train.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The counting evaluator against a literal reading of the protocol: distances from the ±1 inner
 * product {@code ½(c − qᵀb)}, a comparison sort on (distance, index), and AP, precision@k and PR
 * points computed by definition. Few classes and short codes make ties common.
 */
class ReferenceComparisonTests {

  @ParameterizedTest
  @CsvSource({
    "4, 3, 40, 200",
    "12, 5, 70, 300",
    "48, 10, 130, 500",
    "64, 4, 65, 257",
    "100, 7, 50, 150"
  })
  void countingEvaluatorMatchesTheSortingReference(
      int bits, int classes, int queries, int database) {
    Random random = new Random(bits * 31L + classes);
    float[] q = randomSigns(random, queries * bits);
    float[] b = randomSigns(random, database * bits);
    // Labels 0..classes, where the last label never occurs in the database: some queries have R =
    // 0.
    int[] ql = random.ints(queries, 0, classes + 1).toArray();
    int[] dl = random.ints(database, 0, classes).toArray();
    CodeSet qs = CodeSet.fromSigns(bits, q);
    CodeSet ds = CodeSet.fromSigns(bits, b);
    List<Integer> ks = List.of(1, 5, 17, database, database + 10);

    for (boolean dropLast : new boolean[] {false, true}) {
      EvalOptions options = new EvalOptions(dropLast, ks, 3);
      RetrievalMetrics m = RetrievalEvaluator.evaluate(qs, ql, ds, dl, options);
      double[] ap = RetrievalEvaluator.averagePrecisions(qs, ql, ds, dl, options);

      double apSum = 0;
      double[] pAtK = new double[ks.size()];
      double[] precision = new double[bits + 1];
      int[] retrieving = new int[bits + 1];
      double[] recall = new double[bits + 1];
      int withRelevant = 0;
      for (int i = 0; i < queries; i++) {
        int[] dist = new int[database];
        for (int j = 0; j < database; j++) {
          dist[j] = innerProductDistance(q, i, b, j, bits);
        }
        List<Integer> order = new ArrayList<>(IntStream.range(0, database).boxed().toList());
        order.sort(Comparator.<Integer>comparingInt(j -> dist[j]).thenComparingInt(j -> j));
        assertThat(HammingRanking.rank(qs, i, ds))
            .containsExactly(order.stream().mapToInt(x -> x).toArray());

        List<Integer> ranked = dropLast ? order.subList(0, database - 1) : order;
        double sum = 0;
        int found = 0;
        for (int pos = 1; pos <= ranked.size(); pos++) {
          if (dl[ranked.get(pos - 1)] == ql[i]) {
            found++;
            sum += found / (double) pos;
          }
        }
        double expectedAp = found == 0 ? 0 : sum / found;
        assertThat(ap[i]).as("AP of query %d", i).isCloseTo(expectedAp, within(1e-12));
        apSum += expectedAp;

        for (int t = 0; t < ks.size(); t++) {
          int k = Math.min(ks.get(t), database);
          int hits = 0;
          for (int pos = 0; pos < k; pos++) {
            hits += dl[order.get(pos)] == ql[i] ? 1 : 0;
          }
          pAtK[t] += hits / (double) k;
        }
        int relevantTotal = 0;
        for (int j = 0; j < database; j++) {
          relevantTotal += dl[j] == ql[i] ? 1 : 0;
        }
        withRelevant += relevantTotal > 0 ? 1 : 0;
        for (int r = 0; r <= bits; r++) {
          int ret = 0;
          int rel = 0;
          for (int j = 0; j < database; j++) {
            if (dist[j] <= r) {
              ret++;
              rel += dl[j] == ql[i] ? 1 : 0;
            }
          }
          if (ret > 0) {
            precision[r] += rel / (double) ret;
            retrieving[r]++;
          }
          if (relevantTotal > 0) {
            recall[r] += rel / (double) relevantTotal;
          }
        }
      }
      assertThat(m.map()).isCloseTo(apSum / queries, within(1e-12));
      for (int t = 0; t < ks.size(); t++) {
        assertThat(m.precisionAtK().get(t).precision()).isCloseTo(pAtK[t] / queries, within(1e-12));
      }
      for (int r = 0; r <= bits; r++) {
        PrPoint p = m.prCurve().get(r);
        assertThat(p.queriesRetrieving()).isEqualTo(retrieving[r]);
        assertThat(p.precision())
            .isCloseTo(retrieving[r] == 0 ? 1.0 : precision[r] / retrieving[r], within(1e-12));
        assertThat(p.recall()).isCloseTo(recall[r] / withRelevant, within(1e-12));
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"16, 300", "48, 700"})
  void resultIsIdenticalForAnyThreadCountAndRecallNeverFalls(int bits, int queries) {
    Random random = new Random(bits);
    CodeSet qs = CodeSet.fromSigns(bits, randomSigns(random, queries * bits));
    CodeSet ds = CodeSet.fromSigns(bits, randomSigns(random, 2000 * bits));
    int[] ql = random.ints(queries, 0, 10).toArray();
    int[] dl = random.ints(2000, 0, 10).toArray();
    EvalOptions one = new EvalOptions(false, List.of(10, 100), 1);
    RetrievalMetrics single = RetrievalEvaluator.evaluate(qs, ql, ds, dl, one);
    RetrievalMetrics multi = RetrievalEvaluator.evaluate(qs, ql, ds, dl, one.withThreads(4));
    assertThat(multi).isEqualTo(single); // exact, not approximate: sums combine in a fixed order

    List<PrPoint> curve = single.prCurve();
    for (int r = 1; r <= bits; r++) {
      assertThat(curve.get(r).recall()).isGreaterThanOrEqualTo(curve.get(r - 1).recall());
      assertThat(curve.get(r).queriesRetrieving())
          .isGreaterThanOrEqualTo(curve.get(r - 1).queriesRetrieving());
    }
    assertThat(curve.get(bits).recall()).isCloseTo(1.0, within(1e-12));
  }

  /** {@code ½(c − qᵀb)} on the ±1 vectors, the protocol's formula, independent of bit packing. */
  private static int innerProductDistance(float[] q, int i, float[] b, int j, int bits) {
    int dot = 0;
    for (int t = 0; t < bits; t++) {
      dot += sign(q[i * bits + t]) * sign(b[j * bits + t]);
    }
    return (bits - dot) / 2;
  }

  private static int sign(float v) {
    return v >= 0 ? 1 : -1;
  }

  private static float[] randomSigns(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
