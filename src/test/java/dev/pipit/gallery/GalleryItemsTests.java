package dev.pipit.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.index.UnknownIdException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GalleryItems} on a real in-memory index and image store, with a scripted encoder. */
class GalleryItemsTests {

  private static final int BITS = 32;

  @TempDir Path dir;

  private final GalleryCodec codec = new GalleryCodec();
  private HammingIndex index;
  private ImageEncoder encoder;
  private ImageStore store;
  private GalleryItems items;

  @BeforeEach
  void setUp() throws IOException {
    index = HammingIndex.inMemory(IndexOptions.of(BITS, "fp"));
    encoder = mock(ImageEncoder.class);
    ServingModel model = mock(ServingModel.class);
    when(model.index()).thenReturn(index);
    when(model.encoder()).thenReturn(encoder);
    when(model.ref()).thenReturn(new ModelRef("m", "agmh", BITS, "fp"));
    store = ImageStore.open(dir.resolve("originals"), 10_000_000);
    items = new GalleryItems(new ActiveModel(model), store, codec, Duration.ofMillis(200));
    // an image's first byte decides how the encoder treats it
    when(encoder.encode(any()))
        .thenAnswer(
            call -> {
              byte[] bytes = call.getArgument(0);
              return switch (bytes[0]) {
                case 0 ->
                    throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "bad");
                case 1 -> new CompletableFuture<ImageEncoder.Result>(); // never finishes
                case 2 ->
                    CompletableFuture.failedFuture(
                        new EncoderOverloadedException(1, Duration.ofSeconds(1)));
                default -> CompletableFuture.completedFuture(encoded(bytes[0]));
              };
            });
  }

  @AfterEach
  void tearDown() throws Exception {
    index.close();
  }

  @Test
  void itemsByCodeAreStoredReadAndDescribed() {
    GalleryItems.Indexed indexed =
        items.index(
            List.of(
                new GalleryItems.Item("a", null, "0000000f", "cat", Map.of("k", "v")),
                new GalleryItems.Item("b", null, "not hex", "dog", null),
                new GalleryItems.Item("c", null, null, null, null)));
    assertThat(indexed.model().id()).isEqualTo("m");
    assertThat(indexed.outcomes())
        .extracting(GalleryItems.Outcome::indexed)
        .containsExactly(true, false, false);
    assertThat(indexed.outcomes().get(2).reason()).contains("neither an image nor a code");
    GalleryItems.StoredItem a = items.get("a");
    assertThat(a.code()).isEqualTo("0000000f");
    assertThat(a.payload()).isEqualTo(new GalleryPayload("cat", Map.of("k", "v"), null));
    assertThat(a.model().fingerprint()).isEqualTo("fp");
    assertThatThrownBy(() -> items.get("b")).isInstanceOf(UnknownIdException.class);
    GalleryItems.Overview overview = items.describe();
    assertThat(overview.stats().size()).isEqualTo(1);
    assertThat(overview.originals()).isZero();
    assertThat(overview.maxOriginalBytes()).isEqualTo(10_000_000);
  }

  @Test
  void aBadImageFailsItsOwnItemOnlyAndKeptOriginalsFollowUpsertsAndDeletes() {
    GalleryItems.Indexed indexed =
        items.index(
            List.of(
                image("good", 5),
                image("corrupt", 0),
                image("slow", 1),
                image("busy", 2),
                image("twin", 5)));
    assertThat(indexed.outcomes())
        .extracting(GalleryItems.Outcome::indexed)
        .containsExactly(true, false, false, false, true);
    assertThat(indexed.outcomes().get(1).reason()).isEqualTo("bad");
    assertThat(indexed.outcomes().get(2).reason()).contains("200 ms");
    String sha = indexed.outcomes().get(0).image();
    assertThat(sha).isNotNull().isEqualTo(indexed.outcomes().get(4).image());
    assertThat(items.get("good").payload().image()).isEqualTo(sha);
    assertThat(store.originals()).isEqualTo(1);
    assertThat(index.size()).isEqualTo(2);

    // replacing one of the two items that share the original keeps it for the other
    items.index(List.of(new GalleryItems.Item("good", null, "00000001", null, null)));
    assertThat(store.original(sha)).isPresent();
    items.delete("twin");
    assertThat(store.original(sha)).isEmpty();
    assertThat(store.originals()).isZero();
    assertThatThrownBy(() -> items.delete("twin")).isInstanceOf(UnknownIdException.class);
  }

  @Test
  void codesOfOneRequestAreStoredTogetherYetFailOneByOne() {
    String sha = items.index(List.of(image("pic", 5))).outcomes().get(0).image();
    String tooLong = "x".repeat(10_000);
    GalleryItems.Indexed indexed =
        items.index(
            List.of(
                new GalleryItems.Item("pic", null, "00000003", "now a code", null),
                new GalleryItems.Item("bad", null, "zz", null, null),
                new GalleryItems.Item("n1", null, "00000001", "one", null),
                new GalleryItems.Item("n2", null, "00000002", null, null)));
    assertThat(indexed.outcomes())
        .extracting(GalleryItems.Outcome::indexed)
        .containsExactly(true, false, true, true);
    assertThat(items.get("pic").payload())
        .isEqualTo(new GalleryPayload("now a code", Map.of(), null));
    assertThat(store.original(sha)).isEmpty(); // the replaced image's original is released
    assertThat(items.get("n1").payload().label()).isEqualTo("one");

    // the index refuses the batch (an id too long): every item gets its own outcome
    GalleryItems.Indexed mixed =
        items.index(
            List.of(
                new GalleryItems.Item("n3", null, "00000004", null, null),
                new GalleryItems.Item(tooLong, null, "00000005", null, null)));
    assertThat(mixed.outcomes())
        .extracting(GalleryItems.Outcome::indexed)
        .containsExactly(true, false);
    assertThat(index.size()).isEqualTo(4);
  }

  @Test
  void aFullEncoderQueueBeforeAnythingIsQueuedRefusesTheWholeRequest() {
    doThrow(new EncoderOverloadedException(1, Duration.ofSeconds(1))).when(encoder).encode(any());
    assertThatThrownBy(() -> items.index(List.of(image("x", 5), image("y", 5))))
        .isInstanceOf(EncoderOverloadedException.class);
    assertThat(index.size()).isZero();
  }

  @Test
  void withoutAModelReadsAndWritesAnswerNoModel() {
    GalleryItems none =
        new GalleryItems(new ActiveModel(null), store, codec, Duration.ofMillis(200));
    assertThatThrownBy(() -> none.get("a")).isInstanceOf(NoModelServingException.class);
    assertThatThrownBy(none::describe).isInstanceOf(NoModelServingException.class);
    assertThatThrownBy(() -> none.delete("a")).isInstanceOf(NoModelServingException.class);
  }

  @Test
  void pagesFollowIdOrderWithAStableCursorWhileTheGalleryChanges() {
    // inserted out of order: pages follow the ids, not insertion
    for (String id : List.of("e", "b", "d", "a", "c")) {
      items.index(List.of(new GalleryItems.Item(id, null, "0000000f", "L-" + id, null)));
    }
    GalleryItems.Page first = items.page(null, 2);
    assertThat(first.items()).extracting(GalleryItems.StoredItem::id).containsExactly("a", "b");
    assertThat(first.next()).isEqualTo("b");
    assertThat(first.items().get(0).payload().label()).isEqualTo("L-a");
    assertThat(first.items().get(0).code()).isEqualTo("0000000f");
    assertThat(first.model().id()).isEqualTo("m");

    // a delete and an insert behind the cursor do not shift the next page
    items.delete("a");
    items.index(List.of(new GalleryItems.Item("aa", null, "00000001", null, null)));
    GalleryItems.Page second = items.page(first.next(), 2);
    assertThat(second.items()).extracting(GalleryItems.StoredItem::id).containsExactly("c", "d");
    GalleryItems.Page last = items.page(second.next(), 2);
    assertThat(last.items()).extracting(GalleryItems.StoredItem::id).containsExactly("e");
    assertThat(last.next()).isNull();
    // exactly a page's worth left: no empty page after it
    assertThat(items.page("c", 2).next()).isNull();
    assertThat(items.page("e", 2).items()).isEmpty();
    assertThat(items.page(null, 10).items())
        .extracting(GalleryItems.StoredItem::id)
        .containsExactly("aa", "b", "c", "d", "e");
    assertThatThrownBy(() -> items.page(null, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static GalleryItems.Item image(String id, int kind) {
    return new GalleryItems.Item(id, new byte[] {(byte) kind, 42}, null, "label", null);
  }

  /** ±1 network outputs whose signs are {@code code}. */
  private static float[] signs(Code code) {
    float[] values = new float[code.bits()];
    for (int i = 0; i < values.length; i++) {
      values[i] = code.bit(i) ? 1 : -1;
    }
    return values;
  }

  private static ImageEncoder.Result encoded(int seed) {
    return new ImageEncoder.Result(
        signs(Code.of(BITS, seed)), 0, 0, 0, new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB));
  }
}
