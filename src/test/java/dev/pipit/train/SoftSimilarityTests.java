package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SoftSimilarityTests {

  @Test
  void similarPairsAreOneAndDissimilarPairsBalanceThem() {
    int[] samples = {0, 1};
    int[] database = {0, 0, 1, 2, 2};
    // Pairs: sample 0 matches 2 items, sample 1 matches 1: n_sim = 3, n_dis = 10 − 3 = 7.
    SoftSimilarity s = SoftSimilarity.of(samples, database, 3);

    assertThat(s.value(0, 0)).isEqualTo(1f);
    assertThat(s.value(1, 2)).isEqualTo(1f);
    assertThat(s.value(0, 2)).isCloseTo(-3f / 7f, Offset.offset(1e-7f));
    assertThat(s.dissimilar()).isCloseTo(-3f / 7f, Offset.offset(1e-7f));
    assertThat(s.row(1)).containsExactly(-3f / 7f, -3f / 7f, 1f, -3f / 7f, -3f / 7f);
  }

  @Test
  void equalsTheSemiconFormulaOnTheZeroOneAndPlusMinusOneForms() {
    int[] samples = {2, 2, 0, 1};
    int[] database = {0, 1, 2, 2, 2, 1, 0, 0};
    SoftSimilarity soft = SoftSimilarity.of(samples, database, 3);
    double sum01 = 0;
    double sumComplement01 = 0;
    double sumPm = 0;
    double sumComplementPm = 0;
    for (int sample : samples) {
      for (int item : database) {
        double s01 = sample == item ? 1 : 0;
        double pm = sample == item ? 1 : -1;
        sum01 += s01;
        sumComplement01 += 1 - s01;
        sumPm += pm;
        sumComplementPm += 1 - pm;
      }
    }
    double r01 = sum01 / sumComplement01;
    double rPm = sumPm / sumComplementPm;
    for (int i = 0; i < samples.length; i++) {
      for (int j = 0; j < database.length; j++) {
        boolean same = samples[i] == database[j];
        double from01 = (same ? 1 : 0) * (1 + r01) - r01;
        double fromPm = (same ? 1 : -1) * (1 + rPm) - rPm;
        assertThat((double) soft.value(i, j)).isCloseTo(from01, Offset.offset(1e-6));
        assertThat((double) soft.value(i, j)).isCloseTo(fromPm, Offset.offset(1e-6));
      }
    }
  }

  @Test
  void withNoDissimilarPairEverythingIsSimilar() {
    SoftSimilarity s = SoftSimilarity.of(new int[] {1}, new int[] {1, 1}, 2);

    assertThat(s.row(0)).containsExactly(1f, 1f);
  }
}
