package dev.pipit.train.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pipit.index.Code;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A six-item database and three queries whose APs are worked out by hand below. The codes are
 * written bit 0 first; labels 0, 1 and 2 (label 2 has no database item).
 */
class RetrievalEvaluatorTests {

  private static final double EPS = 1e-12;

  //                 index:   0       1       2       3       4       5
  private static final CodeSet DB = codes("0011", "0001", "0000", "0001", "1111", "0010");
  private static final int[] DB_LABELS = {0, 1, 0, 0, 0, 1};
  private static final CodeSet QUERIES = codes("0000", "1111", "0110");
  private static final int[] QUERY_LABELS = {0, 1, 2};

  private static final EvalOptions OPTIONS = new EvalOptions(false, List.of(1, 2, 3, 10), 1);

  @Test
  void averagePrecisionsMatchTheHandComputation() {
    double[] ap =
        RetrievalEvaluator.averagePrecisions(QUERIES, QUERY_LABELS, DB, DB_LABELS, OPTIONS);

    // Query 0 (0000, label 0): distances 2,1,0,1,4,1. Ranking by (distance, index):
    //   db2(d0) db1(d1) db3(d1) db5(d1) db0(d2) db4(d4); relevant db2, db3, db0, db4 at ranks 1, 3,
    // 5, 6.
    //   AP = (1/1 + 2/3 + 3/5 + 4/6) / 4 = 11/15. Ranking db3 before db1 (the other tie order)
    // would
    //   give (1 + 2/2 + 3/5 + 4/6) / 4 instead, so this pins the tie rule.
    assertThat(ap[0]).isCloseTo(11.0 / 15, within(EPS));
    // Query 1 (1111, label 1): distances 2,3,4,3,0,3. Ranking db4 db0 db1 db3 db5 db2; relevant
    // db1, db5
    //   at ranks 3 and 5. AP = (1/3 + 2/5) / 2 = 11/30.
    assertThat(ap[1]).isCloseTo(11.0 / 30, within(EPS));
    // Query 2 (label 2): nothing relevant, AP 0.
    assertThat(ap[2]).isZero();
  }

  @Test
  void metricsMatchTheHandComputation() {
    RetrievalMetrics m = RetrievalEvaluator.evaluate(QUERIES, QUERY_LABELS, DB, DB_LABELS, OPTIONS);

    // The query without relevant items stays in the mean: (11/15 + 11/30 + 0) / 3.
    assertThat(m.map()).isCloseTo(11.0 / 30, within(EPS));
    assertThat(m.queriesWithoutRelevant()).isEqualTo(1);
    assertThat(m.bits()).isEqualTo(4);
    assertThat(m.queries()).isEqualTo(3);
    assertThat(m.database()).isEqualTo(6);
    // P@1: q0 top db2 (hit), q1 top db4 (miss), q2 miss -> 1/3.
    assertThat(m.precisionAt(1)).isCloseTo(1.0 / 3, within(EPS));
    // P@2: q0 {db2, db1} 1 hit, q1 {db4, db0} 0 hits -> (1/2) / 3.
    assertThat(m.precisionAt(2)).isCloseTo(1.0 / 6, within(EPS));
    // P@3: q0 {db2, db1, db3} 2 hits, q1 {db4, db0, db1} 1 hit -> (2/3 + 1/3) / 3.
    assertThat(m.precisionAt(3)).isCloseTo(1.0 / 3, within(EPS));
    // P@10 on 6 items is over the whole database: (4/6 + 2/6 + 0) / 3.
    assertThat(m.precisionAt(10)).isCloseTo(1.0 / 3, within(EPS));
  }

  @Test
  void prCurveMatchesTheHandComputation() {
    List<PrPoint> curve =
        RetrievalEvaluator.evaluate(QUERIES, QUERY_LABELS, DB, DB_LABELS, OPTIONS).prCurve();

    // q0 (R=4) retrieved/relevant within r: 1/1, 4/2, 5/3, 5/3, 6/4.
    // q1 (R=2): 1/0, 1/0, 2/0, 5/2, 6/2.
    // q2 (R=0, distances 2,3,2,3,2,1): 0/0, 1/0, 4/0, 6/0, 6/0 -- no precision at r=0, never in
    // recall.
    assertThat(curve).hasSize(5);
    assertPoint(curve.get(0), 0, (1.0 + 0) / 2, (0.25 + 0) / 2, 2);
    assertPoint(curve.get(1), 1, (0.5 + 0 + 0) / 3, (0.5 + 0) / 2, 3);
    assertPoint(curve.get(2), 2, (3.0 / 5 + 0 + 0) / 3, (0.75 + 0) / 2, 3);
    assertPoint(curve.get(3), 3, (3.0 / 5 + 2.0 / 5 + 0) / 3, (0.75 + 1) / 2, 3);
    assertPoint(curve.get(4), 4, (4.0 / 6 + 2.0 / 6 + 0) / 3, 1.0, 3);
  }

  @Test
  void dropLastRemovesTheLastRankedItemFromAp() {
    EvalOptions drop = OPTIONS.withDropLast(true);
    double[] ap = RetrievalEvaluator.averagePrecisions(QUERIES, QUERY_LABELS, DB, DB_LABELS, drop);
    // q0: the last-ranked item db4 is relevant: AP = (1/1 + 2/3 + 3/5) / 3 = 34/45.
    assertThat(ap[0]).isCloseTo(34.0 / 45, within(EPS));
    // q1: the last-ranked item db2 is not relevant: unchanged.
    assertThat(ap[1]).isCloseTo(11.0 / 30, within(EPS));
    assertThat(ap[2]).isZero();
    RetrievalMetrics m = RetrievalEvaluator.evaluate(QUERIES, QUERY_LABELS, DB, DB_LABELS, drop);
    assertThat(m.map()).isCloseTo((34.0 / 45 + 11.0 / 30) / 3, within(EPS));
    assertThat(m.dropLast()).isTrue();
    // Precision@k and the curve are not affected.
    assertThat(m.precisionAt(10)).isCloseTo(1.0 / 3, within(EPS));
  }

  @Test
  void emptyRetrievalSetsHavePrecisionOneByConvention() {
    CodeSet q = codes("0000");
    CodeSet db = codes("1111", "1111");
    RetrievalMetrics m =
        RetrievalEvaluator.evaluate(q, new int[] {0}, db, new int[] {0, 1}, OPTIONS);
    for (int r = 0; r < 4; r++) {
      assertPoint(m.prCurve().get(r), r, 1.0, 0.0, 0);
    }
    assertPoint(m.prCurve().get(4), 4, 0.5, 1.0, 1);
    assertThat(m.map()).isCloseTo(1.0, within(EPS)); // the only relevant item is ranked first
  }

  @Test
  void rejectsMismatchedInputs() {
    assertThatThrownBy(
            () -> RetrievalEvaluator.evaluate(QUERIES, new int[] {0, 1}, DB, DB_LABELS, OPTIONS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 query codes but 2 labels");
    assertThatThrownBy(
            () -> RetrievalEvaluator.evaluate(QUERIES, QUERY_LABELS, DB, new int[] {0}, OPTIONS))
        .hasMessageContaining("6 database codes but 1 labels");
    CodeSet wide = CodeSet.of(List.of(Code.fromSigns(new int[] {1, 1, 1, 1, 1})));
    assertThatThrownBy(
            () -> RetrievalEvaluator.evaluate(wide, new int[] {0}, DB, DB_LABELS, OPTIONS))
        .hasMessageContaining("5 bits");
    assertThatThrownBy(() -> new EvalOptions(false, List.of(0), 1)).hasMessageContaining("k >= 1");
  }

  @Test
  void rankingUsesTheSameTieOrder() {
    assertThat(HammingRanking.rank(QUERIES, 0, DB)).containsExactly(2, 1, 3, 5, 0, 4);
    assertThat(HammingRanking.topK(QUERIES, 1, DB, 3)).containsExactly(4, 0, 1);
    assertThat(HammingRanking.topK(QUERIES, 1, DB, 99)).hasSize(6);
  }

  private static void assertPoint(
      PrPoint p, int radius, double precision, double recall, int retrieving) {
    assertThat(p.radius()).isEqualTo(radius);
    assertThat(p.precision()).as("precision at r=%d", radius).isCloseTo(precision, within(EPS));
    assertThat(p.recall()).as("recall at r=%d", radius).isCloseTo(recall, within(EPS));
    assertThat(p.queriesRetrieving())
        .as("queries retrieving at r=%d", radius)
        .isEqualTo(retrieving);
  }

  /** Codes from strings of '0'/'1', character i being bit i. */
  static CodeSet codes(String... bits) {
    List<Code> list = new ArrayList<>();
    for (String s : bits) {
      int[] signs = new int[s.length()];
      for (int i = 0; i < signs.length; i++) {
        signs[i] = s.charAt(i) == '1' ? 1 : -1;
      }
      list.add(Code.fromSigns(signs));
    }
    return CodeSet.of(list);
  }
}
