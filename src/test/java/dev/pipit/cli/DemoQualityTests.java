package dev.pipit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pipit.gallery.GallerySearch;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The measures {@code pipit eval-demo} prints, on hand-worked cases. */
class DemoQualityTests {

  @Test
  void precisionAndAveragePrecisionFollowTheirDefinitions() {
    DemoQuality.Precision p = new DemoQuality.Precision();
    // ranking cat, dog, cat, dog with 2 cats in the gallery: AP = (1/1 + 2/3) / 2
    List<GallerySearch.Hit> ranking = List.of(hit("cat"), hit("dog"), hit("cat"), hit("dog"));
    p.add(ranking.subList(0, 2), ranking, "cat", 2, 2);
    assertThat(p.precision()).isCloseTo(0.5, within(1e-12));
    assertThat(p.map()).isCloseTo((1 + 2.0 / 3) / 2, within(1e-12));
    // a perfect second query: the means move halfway to 1
    p.add(
        List.of(hit("dog"), hit("dog")), List.of(hit("dog"), hit("dog"), hit("cat")), "dog", 2, 2);
    assertThat(p.precision()).isCloseTo(0.75, within(1e-12));
    assertThat(p.map()).isCloseTo(((1 + 2.0 / 3) / 2 + 1) / 2, within(1e-12));
  }

  @Test
  void occupancyCountsDistinctCodesTheLargestBucketAndBitBalance() throws Exception {
    try (HammingIndex index = HammingIndex.inMemory(IndexOptions.of(4, "fp"))) {
      index.add("a", Code.of(4, 0b0011L), null);
      index.add("b", Code.of(4, 0b0011L), null);
      index.add("c", Code.of(4, 0b0011L), null);
      index.add("d", Code.of(4, 0b0101L), null);
      DemoQuality.Occupancy o =
          DemoQuality.occupancy(index, Map.of("a", "cat", "b", "dog", "c", "cat", "d", "cat"));
      assertThat(o.items()).isEqualTo(4);
      assertThat(o.distinct()).isEqualTo(2);
      assertThat(o.largest()).isEqualTo(3);
      assertThat(o.largestLabels()).isEqualTo(2);
      assertThat(o.minOnes()).isEqualTo(0.0); // bit 3 is never set
      assertThat(o.maxOnes()).isEqualTo(1.0); // bit 0 always
    }
  }

  @Test
  void confusionSaysWhichClassesFillEachQueryClassesTopK() {
    DemoQuality.Confusion c = new DemoQuality.Confusion();
    c.add("shirt", List.of(hit("shirt"), hit("t-shirt"), hit("t-shirt"), hit("coat")));
    c.add("shirt", List.of(hit("shirt"), hit("shirt"), hit("shirt"), hit("t-shirt")));
    c.add("bag", List.of(hit("bag"), hit("bag")));
    assertThat(c.fraction("shirt", "shirt")).isCloseTo(4.0 / 8, within(1e-12));
    assertThat(c.fraction("shirt", "t-shirt")).isCloseTo(3.0 / 8, within(1e-12));
    assertThat(c.fraction("bag", "shirt")).isZero();
    assertThat(c.lines(1))
        .containsExactly("bag          same 1.000", "shirt        same 0.500, t-shirt 0.375");
  }

  private static GallerySearch.Hit hit(String label) {
    return new GallerySearch.Hit("x", 0, label, Map.of(), null);
  }
}
