package dev.pipit.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Image searches ordered by the asymmetric score ({@link Rescoring}) on a real in-memory index,
 * against a brute-force reference: (distance, score descending, insertion order).
 */
class RescoredSearchTests {

  private static final int BITS = 32;
  private static final String[] LABELS = {"cat", "dog", "bird"};

  private final GalleryCodec codec = new GalleryCodec();
  private final List<Item> items = new ArrayList<>();
  private HammingIndex index;
  private ImageEncoder encoder;
  private ActiveModel active;

  private record Item(String id, Code code, String label, int order) {}

  @BeforeEach
  void setUp() {
    index = HammingIndex.inMemory(IndexOptions.of(BITS, "fp"));
    encoder = mock(ImageEncoder.class);
    ServingModel model = mock(ServingModel.class);
    when(model.index()).thenReturn(index);
    when(model.encoder()).thenReturn(encoder);
    when(model.ref()).thenReturn(new ModelRef("m", "agmh", BITS, "fp"));
    active = new ActiveModel(model);
  }

  @AfterEach
  void tearDown() throws Exception {
    index.close();
  }

  @Test
  void scoreIsTheInnerProductWithTheCodeAsPlusMinusOne() {
    Code code = Code.fromSigns(new float[] {1, -1, 1, -1});
    assertThat(Rescoring.score(new float[] {0.5f, 0.25f, -0.125f, -1f}, code))
        .isEqualTo(0.5 - 0.25 - 0.125 + 1);
    assertThatThrownBy(() -> Rescoring.score(new float[3], code))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void topKLabelAndRadiusSearchesMatchTheReferenceOrder() {
    Random rnd = new Random(29);
    fill(3_000, rnd); // 32-bit codes of 3,000 items: many ties at every distance
    GallerySearch search = search(true, 1000);
    for (int q = 0; q < 30; q++) {
      float[] values = values(rnd);
      Code code = Code.fromSigns(values);
      int k = List.of(1, 10, 100).get(q % 3);
      String label = q % 2 == 0 ? null : LABELS[q % LABELS.length];
      GallerySearch.Result result =
          byImage(search, values, new GallerySearch.Query(k, null, label));
      assertThat(result.ordering()).isEqualTo(GallerySearch.Ordering.RESCORED);
      assertThat(ids(result.hits())).as("query %d", q).isEqualTo(reference(values, k, null, label));
      // the same query in exact Hamming order: ties in insertion order
      List<String> hamming =
          ids(byImage(search, values, new GallerySearch.Query(k, null, label, false)).hits());
      assertThat(hamming).isEqualTo(hammingReference(code, k, label));
    }
    float[] values = values(rnd);
    GallerySearch.Result radius = byImage(search, values, new GallerySearch.Query(1, 11, null));
    assertThat(ids(radius.hits())).isEqualTo(reference(values, Integer.MAX_VALUE, 11, null));
    assertThat(radius.hits()).isNotEmpty();
  }

  @Test
  void rescoringChangesWhichTiedItemsMakeTheTopK() {
    // 20 items, each one bit away from the query's code in a different bit: all at distance 1
    float[] values = new float[BITS];
    for (int i = 0; i < BITS; i++) {
      values[i] = 0.05f + 0.03f * i; // the network is least sure of bit 0
    }
    Code query = Code.fromSigns(values);
    for (int bit = 0; bit < 20; bit++) {
      add("flip-" + bit, flip(query, bit), "cat");
    }
    GallerySearch rescored = search(true, 1000);
    // flipping the least sure bits costs the least score: flip-0, flip-1, flip-2
    assertThat(ids(byImage(rescored, values, new GallerySearch.Query(3, null, null)).hits()))
        .containsExactly("flip-0", "flip-1", "flip-2");
    // reverse the certainties: the last inserted now win
    float[] reversed = new float[BITS];
    for (int i = 0; i < BITS; i++) {
      reversed[i] = 0.05f + 0.03f * (BITS - 1 - i);
    }
    assertThat(ids(byImage(rescored, reversed, new GallerySearch.Query(3, null, null)).hits()))
        .containsExactly("flip-19", "flip-18", "flip-17");
  }

  @Test
  void theWindowCapsHowManyTiedCandidatesAreOrdered() {
    float[] values = new float[BITS];
    for (int i = 0; i < BITS; i++) {
      values[i] = 0.05f + 0.03f * (BITS - 1 - i); // most sure of bit 0: flip-19 scores best
    }
    Code query = Code.fromSigns(values);
    for (int bit = 0; bit < 20; bit++) {
      add("flip-" + bit, flip(query, bit), "cat");
    }
    GallerySearch.Query top3 = new GallerySearch.Query(3, null, null);
    // a window of 5: only the first 5 inserted ties are fetched, and ordered among themselves
    assertThat(ids(byImage(search(true, 5), values, top3).hits()))
        .containsExactly("flip-4", "flip-3", "flip-2");
    assertThat(ids(byImage(search(true, 20), values, top3).hits()))
        .containsExactly("flip-19", "flip-18", "flip-17");
    // k larger than the window: the window grows to k
    assertThat(ids(byImage(search(true, 1), values, top3).hits()))
        .containsExactly("flip-2", "flip-1", "flip-0");
    assertThatThrownBy(() -> search(true, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theOffSwitchGivesTheExactHammingOrderAndARequestOverridesTheDefault() {
    Random rnd = new Random(31);
    fill(2_000, rnd);
    float[] values = values(rnd);
    Code code = Code.fromSigns(values);
    GallerySearch.Query plain = new GallerySearch.Query(50, null, null);
    GallerySearch off = search(false, 1000);
    GallerySearch.Result hamming = byImage(off, values, plain);
    assertThat(hamming.ordering()).isEqualTo(GallerySearch.Ordering.HAMMING);
    assertThat(ids(hamming.hits())).isEqualTo(hammingReference(code, 50, null));
    assertThat(hamming.timings()).doesNotContainKey("rescore");
    GallerySearch.Result asked =
        byImage(off, values, new GallerySearch.Query(50, null, null, true));
    assertThat(asked.ordering()).isEqualTo(GallerySearch.Ordering.RESCORED);
    assertThat(ids(asked.hits())).isEqualTo(reference(values, 50, null, null));
    assertThat(ids(asked.hits())).isNotEqualTo(ids(hamming.hits()));
    // the same searches through byValues (an encoding made beforehand) answer alike
    assertThat(ids(off.byValues(values, new GallerySearch.Query(50, null, null, true)).hits()))
        .isEqualTo(ids(asked.hits()));
  }

  @Test
  void codeSearchesHaveNoRealValuesAndKeepTheHammingOrder() {
    Random rnd = new Random(37);
    fill(1_000, rnd);
    Code code = Code.fromSigns(values(rnd));
    GallerySearch.Result result =
        search(true, 1000).byCode(code.toHex(), new GallerySearch.Query(20, null, null));
    assertThat(result.ordering()).isEqualTo(GallerySearch.Ordering.HAMMING);
    assertThat(ids(result.hits())).isEqualTo(hammingReference(code, 20, null));
  }

  @Test
  void aBatchIsRescoredLikeSingleSearches() {
    Random rnd = new Random(41);
    fill(1_500, rnd);
    List<float[]> queries = new ArrayList<>();
    List<byte[]> images = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      queries.add(values(rnd));
      images.add(new byte[] {(byte) i});
    }
    when(encoder.encode(any()))
        .thenAnswer(
            call ->
                CompletableFuture.completedFuture(
                    encoded(queries.get(((byte[]) call.getArgument(0))[0]))));
    GallerySearch.BatchResult batch = search(true, 1000).batch(images, 12, null);
    assertThat(batch.ordering()).isEqualTo(GallerySearch.Ordering.RESCORED);
    for (int i = 0; i < 6; i++) {
      assertThat(ids(batch.entries().get(i).hits()))
          .as("image %d", i)
          .isEqualTo(reference(queries.get(i), 12, null, null));
    }
    GallerySearch.BatchResult exact = search(true, 1000).batch(images, 12, null, false);
    assertThat(exact.ordering()).isEqualTo(GallerySearch.Ordering.HAMMING);
    assertThat(ids(exact.entries().get(0).hits()))
        .isEqualTo(hammingReference(Code.fromSigns(queries.get(0)), 12, null));
  }

  private GallerySearch search(boolean rescore, int window) {
    return new GallerySearch(
        active, codec, 1000, Duration.ofSeconds(5), rescore, window, GalleryListener.NONE);
  }

  private GallerySearch.Result byImage(
      GallerySearch search, float[] values, GallerySearch.Query query) {
    when(encoder.encode(any())).thenReturn(CompletableFuture.completedFuture(encoded(values)));
    return search.byImage(new byte[] {1}, query);
  }

  private static ImageEncoder.Result encoded(float[] values) {
    return new ImageEncoder.Result(values, 0, 0, 0, null);
  }

  private void fill(int n, Random rnd) {
    for (int i = 0; i < n; i++) {
      add("item-" + i, Code.of(BITS, rnd.nextLong() & 0xffffffffL), LABELS[rnd.nextInt(3)]);
    }
  }

  private void add(String id, Code code, String label) {
    index.add(id, code, codec.write(new GalleryPayload(label, Map.of(), null)));
    items.add(new Item(id, code, label, items.size()));
  }

  private static float[] values(Random rnd) {
    float[] values = new float[BITS];
    for (int i = 0; i < BITS; i++) {
      values[i] = (float) Math.tanh(rnd.nextGaussian());
    }
    return values;
  }

  private static Code flip(Code code, int bit) {
    return Code.of(BITS, code.words()[0] ^ (1L << bit));
  }

  /** Brute force: by (distance, asymmetric score descending, insertion order), filtered. */
  private List<String> reference(float[] values, int k, Integer radius, String label) {
    Code query = Code.fromSigns(values);
    return items.stream()
        .filter(i -> label == null || label.equals(i.label()))
        .filter(i -> radius == null || query.distance(i.code()) <= radius)
        .sorted(
            Comparator.comparingInt((Item i) -> query.distance(i.code()))
                .thenComparing(i -> -naiveScore(values, i.code()))
                .thenComparingInt(Item::order))
        .limit(k)
        .map(Item::id)
        .toList();
  }

  private List<String> hammingReference(Code query, int k, String label) {
    return items.stream()
        .filter(i -> label == null || label.equals(i.label()))
        .sorted(
            Comparator.comparingInt((Item i) -> query.distance(i.code()))
                .thenComparingInt(Item::order))
        .limit(k)
        .map(Item::id)
        .toList();
  }

  /** Σ u_i·b_i written out bit by bit from the code's word. */
  private static double naiveScore(float[] values, Code code) {
    double score = 0;
    for (int i = 0; i < BITS; i++) {
      score += ((code.words()[0] >>> i) & 1) == 1 ? values[i] : -values[i];
    }
    return score;
  }

  private static List<String> ids(List<GallerySearch.Hit> hits) {
    return hits.stream().map(GallerySearch.Hit::id).toList();
  }
}
