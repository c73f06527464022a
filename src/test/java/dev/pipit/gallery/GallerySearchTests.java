package dev.pipit.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.Entry;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.index.InvalidCodeException;
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

/** {@link GallerySearch} on a real in-memory index, against a brute-force reference. */
class GallerySearchTests {

  private static final int BITS = 32;
  private static final String[] LABELS = {"cat", "dog", "bird", "rare"};

  private final GalleryCodec codec = new GalleryCodec();
  private final List<Item> items = new ArrayList<>();
  private HammingIndex index;
  private ImageEncoder encoder;
  private ServingModel model;

  private record Item(String id, Code code, String label, int order) {}

  @BeforeEach
  void setUp() {
    index = HammingIndex.inMemory(IndexOptions.of(BITS, "fp"));
    encoder = mock(ImageEncoder.class);
    model = mock(ServingModel.class);
    when(model.index()).thenReturn(index);
    when(model.encoder()).thenReturn(encoder);
    when(model.ref()).thenReturn(new ModelRef("m", "agmh", BITS, "fp"));
  }

  @AfterEach
  void tearDown() throws Exception {
    index.close();
  }

  @Test
  void labelFilterIsExactAgainstANaiveReference() {
    Random rnd = new Random(17);
    fill(3_000, rnd); // smaller than the candidate window: the filter must be exact
    GallerySearch search = search(1000, Duration.ofSeconds(5));
    for (int q = 0; q < 40; q++) {
      Code query = random(rnd);
      String label = LABELS[q % LABELS.length];
      int k = List.of(1, 5, 50, 400).get(q % 4);
      List<GallerySearch.Hit> hits =
          search.byCode(query.toHex(), new GallerySearch.Query(k, null, label)).hits();
      assertThat(ids(hits)).as("query %d", q).isEqualTo(naive(query, k, null, label));
      assertThat(hits).allSatisfy(h -> assertThat(h.label()).isEqualTo(label));
    }
  }

  @Test
  void topKAndRadiusWithoutLabelMatchTheReference() {
    Random rnd = new Random(5);
    fill(2_000, rnd);
    GallerySearch search = search(1000, Duration.ofSeconds(5));
    for (int q = 0; q < 20; q++) {
      Code query = random(rnd);
      assertThat(ids(search.byCode(query.toHex(), new GallerySearch.Query(25, null, null)).hits()))
          .isEqualTo(naive(query, 25, null, null));
      int radius = 8 + q % 4; // a few dozen items of 2,000 random 32-bit codes
      List<GallerySearch.Hit> within =
          search.byCode(query.toHex(), new GallerySearch.Query(10, radius, "dog")).hits();
      assertThat(ids(within)).isEqualTo(naive(query, Integer.MAX_VALUE, radius, "dog"));
    }
  }

  @Test
  void aRadiusHoldingMoreThanMaxKIsRefusedButOneHoldingMaxKIsNot() {
    for (int i = 0; i < 30; i++) {
      add("near-" + i, Code.of(BITS, 0L), "cat", null);
    }
    add("far", Code.of(BITS, 0xffffffffL), "cat", null);
    Code zero = Code.of(BITS, 0L);
    assertThat(search(30, Duration.ofSeconds(1)).byCode(zero.toHex(), radius(0)).hits())
        .hasSize(30);
    GallerySearch tight = search(29, Duration.ofSeconds(1));
    assertThatThrownBy(() -> tight.byCode(zero.toHex(), radius(0)))
        .isInstanceOf(SearchTooBroadException.class)
        .hasMessageContaining("29");
    // the whole code length: today's "dump the gallery" request is refused
    assertThatThrownBy(() -> tight.byCode(zero.toHex(), radius(BITS)))
        .isInstanceOf(SearchTooBroadException.class);
  }

  @Test
  void aLabelFilterLooksOnlyAmongTheBoundedCandidates() {
    int window = GallerySearch.LABEL_CANDIDATES;
    List<Entry> bulk = new ArrayList<>();
    for (int i = 0; i < window; i++) {
      bulk.add(new Entry("c" + i, Code.of(BITS, 0L), codec.write("common", Map.of())));
    }
    index.upsertAll(bulk);
    add("rare-far", Code.of(BITS, 0xffffffffL), "rare", null);
    GallerySearch search = search(100, Duration.ofSeconds(1));
    assertThat(search.labelCandidates()).isEqualTo(window);
    String zero = Code.of(BITS, 0L).toHex();
    // the rare item is the 10,001st nearest: outside the documented window
    assertThat(search.byCode(zero, new GallerySearch.Query(5, null, "rare")).hits()).isEmpty();
    // a radius with a label that reaches past the window cannot be answered completely
    assertThatThrownBy(() -> search.byCode(zero, new GallerySearch.Query(5, 0, "rare")))
        .isInstanceOf(SearchTooBroadException.class);
    // one item fewer in front of it and the filter finds it
    index.delete("c0");
    assertThat(ids(search.byCode(zero, new GallerySearch.Query(5, null, "rare")).hits()))
        .containsExactly("rare-far");
  }

  @Test
  void kAndRadiusAreCheckedAgainstTheConfiguredMaxKBeforeAnyWork() {
    GallerySearch search = search(50, Duration.ofSeconds(1));
    for (GallerySearch.Query bad :
        List.of(
            new GallerySearch.Query(0, null, null),
            new GallerySearch.Query(51, null, null),
            new GallerySearch.Query(51, 3, null),
            new GallerySearch.Query(10, -1, null))) {
      assertThatThrownBy(() -> search.byImage(new byte[] {1}, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .isNotInstanceOf(SearchTooBroadException.class);
      if (bad.radius() == null) {
        assertThatThrownBy(() -> search.batch(List.of(new byte[] {1}), bad.k(), null))
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
    verify(encoder, never()).encode(any());
    assertThat(search.byCode(Code.of(BITS, 0L).toHex(), new GallerySearch.Query(50, null, null)))
        .isNotNull();
    assertThatThrownBy(() -> search(HammingIndex.MAX_K, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCodeOfTheWrongLengthIsRefused() {
    GallerySearch search = search(10, Duration.ofSeconds(1));
    assertThatThrownBy(() -> search.byCode("00", new GallerySearch.Query(1, null, null)))
        .isInstanceOf(InvalidCodeException.class);
  }

  @Test
  void anImageSearchReportsWhereTheTimeWentAndMapsPayloads() {
    add("a", Code.of(BITS, 1L), "cat", "ab".repeat(32));
    add("b", Code.of(BITS, 3L), null, null);
    when(encoder.encode(any()))
        .thenReturn(CompletableFuture.completedFuture(result(Code.of(BITS, 1L))));
    GallerySearch.Result result =
        search(10, Duration.ofSeconds(1)).byImage(new byte[] {1}, query(2));
    assertThat(result.model().id()).isEqualTo("m");
    assertThat(List.copyOf(result.timings().keySet()))
        .containsExactly("decode", "queue", "encode", "scan", "rescore");
    assertThat(result.ordering()).isEqualTo(GallerySearch.Ordering.RESCORED);
    assertThat(result.timings().get("decode")).isEqualTo(1.0);
    assertThat(result.timings().get("encode")).isEqualTo(3.0);
    assertThat(result.hits())
        .containsExactly(
            new GallerySearch.Hit("a", 0, "cat", Map.of("k", "v"), "ab".repeat(32)),
            new GallerySearch.Hit("b", 1, null, Map.of("k", "v"), null));
  }

  @Test
  void anEncodingSlowerThanTheRequestTimeoutFails() {
    when(encoder.encode(any())).thenReturn(new CompletableFuture<>());
    GallerySearch search = search(10, Duration.ofMillis(50));
    assertThatThrownBy(() -> search.byImage(new byte[] {1}, query(3)))
        .isInstanceOf(RequestTimeoutException.class);
  }

  @Test
  void aBatchFailsOnlyTheEntriesOfBadImagesAndSearchesTheRestLikeSingleSearches() {
    Random rnd = new Random(3);
    fill(500, rnd);
    Code first = random(rnd);
    Code second = random(rnd);
    byte[] bad = {0};
    byte[] busy = {1};
    when(encoder.encode(any()))
        .thenAnswer(
            call -> {
              byte[] bytes = call.getArgument(0);
              return switch (bytes[0]) {
                case 0 ->
                    throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "bad");
                case 1 ->
                    CompletableFuture.failedFuture(
                        new EncoderOverloadedException(1, Duration.ofSeconds(1)));
                case 2 -> CompletableFuture.completedFuture(result(first));
                default -> CompletableFuture.completedFuture(result(second));
              };
            });
    GallerySearch search = search(100, Duration.ofSeconds(5));
    GallerySearch.BatchResult result =
        search.batch(List.of(new byte[] {2}, bad, new byte[] {3}, busy), 7, "bird");
    assertThat(result.entries())
        .extracting(GallerySearch.BatchEntry::index)
        .containsExactly(0, 1, 2, 3);
    assertThat(result.entries().get(1).hits()).isNull();
    assertThat(result.entries().get(1).error()).isEqualTo("bad");
    assertThat(result.entries().get(3).hits()).isNull();
    assertThat(result.entries().get(3).error()).isNotBlank();
    assertThat(ids(result.entries().get(0).hits())).isEqualTo(naive(first, 7, null, "bird"));
    assertThat(ids(result.entries().get(2).hits())).isEqualTo(naive(second, 7, null, "bird"));
    assertThat(result.entries().get(0).error()).isNull();
    assertThat(result.timings().keySet()).containsExactly("encode", "scan");
  }

  @Test
  void aLabelledBatchLargerThanOnePassAnswersEachImageLikeASingleSearch() {
    Random rnd = new Random(11);
    fill(1_000, rnd);
    List<Code> queries = new ArrayList<>();
    List<byte[]> images = new ArrayList<>();
    for (int i = 0; i < 30; i++) { // more than BATCH_CANDIDATES / LABEL_CANDIDATES per pass
      queries.add(random(rnd));
      images.add(new byte[] {(byte) i});
    }
    when(encoder.encode(any()))
        .thenAnswer(
            call ->
                CompletableFuture.completedFuture(
                    result(queries.get(((byte[]) call.getArgument(0))[0]))));
    GallerySearch search = search(100, Duration.ofSeconds(5));
    List<GallerySearch.BatchEntry> entries = search.batch(images, 9, "rare").entries();
    assertThat(entries).hasSize(30);
    for (int i = 0; i < 30; i++) {
      assertThat(ids(entries.get(i).hits()))
          .as("image %d", i)
          .isEqualTo(naive(queries.get(i), 9, null, "rare"))
          .hasSize(9);
    }
  }

  @Test
  void aBatchWaitsAtMostOneRequestTimeoutInAll() {
    when(encoder.encode(any())).thenAnswer(call -> new CompletableFuture<>());
    GallerySearch search = search(10, Duration.ofMillis(200));
    long start = System.nanoTime();
    List<byte[]> images = List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}, new byte[] {4});
    assertThatThrownBy(() -> search.batch(images, 3, null))
        .isInstanceOf(RequestTimeoutException.class)
        .hasMessageContaining("200 ms");
    // four images each given the full timeout would take 800 ms
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(700));
  }

  @Test
  void tiesByIdTakeTheSmallestIdsOfATieAcrossTheKthPlace() {
    Code centre = Code.of(BITS, 0xf0f0f0f0L);
    Code near = Code.of(BITS, 0xf0f0f0f1L);
    // inserted in descending id order: insertion order and id order disagree on every tie
    for (int i = 9; i >= 0; i--) {
      add("tie-" + i, i < 3 ? centre : near, null, null);
    }
    add("far", Code.of(BITS, 0x0f0f0f0fL), null, null);
    GallerySearch search = search(1000, Duration.ofSeconds(5));
    assertThat(ids(search.byCode(centre.toHex(), query(4)).hits()))
        .containsExactly("tie-2", "tie-1", "tie-0", "tie-9");
    assertThat(ids(search.byCodeTiesById(centre.toHex(), query(4)).hits()))
        .containsExactly("tie-0", "tie-1", "tie-2", "tie-3");
    assertThat(ids(search.byCodeTiesById(centre.toHex(), query(3)).hits()))
        .containsExactly("tie-0", "tie-1", "tie-2");
    assertThat(ids(search.byCodeTiesById(centre.toHex(), query(20)).hits()))
        .hasSize(11)
        .last()
        .isEqualTo("far");
    // more items within the k-th distance than max-k: ordered among those found
    assertThat(
            ids(search(5, Duration.ofSeconds(5)).byCodeTiesById(centre.toHex(), query(4)).hits()))
        .hasSize(4)
        .startsWith("tie-0", "tie-1", "tie-2");
  }

  @Test
  void withoutAModelSearchesAnswerNoModel() {
    GallerySearch search =
        new GallerySearch(new ActiveModel(null), codec, 10, Duration.ofSeconds(1));
    assertThatThrownBy(() -> search.byCode("00000000", query(1)))
        .isInstanceOf(NoModelServingException.class);
  }

  private GallerySearch search(int maxK, Duration timeout) {
    return new GallerySearch(new ActiveModel(model), codec, maxK, timeout);
  }

  private static GallerySearch.Query query(int k) {
    return new GallerySearch.Query(k, null, null);
  }

  private static GallerySearch.Query radius(int radius) {
    return new GallerySearch.Query(1, radius, null);
  }

  /** An encoding whose values are ±1: every candidate at one distance scores the same. */
  private static ImageEncoder.Result result(Code code) {
    float[] values = new float[code.bits()];
    for (int i = 0; i < values.length; i++) {
      values[i] = code.bit(i) ? 1 : -1;
    }
    return new ImageEncoder.Result(values, 1_000_000, 2_000_000, 3_000_000, null);
  }

  private void fill(int n, Random rnd) {
    for (int i = 0; i < n; i++) {
      add("item-" + i, random(rnd), LABELS[rnd.nextInt(LABELS.length)], null);
    }
  }

  private void add(String id, Code code, String label, String image) {
    index.add(id, code, codec.write(new GalleryPayload(label, Map.of("k", "v"), image)));
    items.add(new Item(id, code, label, items.size()));
  }

  private static Code random(Random rnd) {
    return Code.of(BITS, rnd.nextLong() & 0xffffffffL);
  }

  /** Brute force: every item by (distance, insertion order), filtered, the first k. */
  private List<String> naive(Code query, int k, Integer radius, String label) {
    return items.stream()
        .filter(i -> label == null || label.equals(i.label()))
        .filter(i -> radius == null || distance(query, i.code()) <= radius)
        .sorted(
            Comparator.comparingInt((Item i) -> distance(query, i.code()))
                .thenComparingInt(Item::order))
        .limit(k)
        .map(Item::id)
        .toList();
  }

  private static int distance(Code a, Code b) {
    return Long.bitCount(a.words()[0] ^ b.words()[0]);
  }

  private static List<String> ids(List<GallerySearch.Hit> hits) {
    return hits.stream().map(GallerySearch.Hit::id).toList();
  }
}
