package dev.pipit.gallery;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-item limits on labels and metadata, checked before anything is written. */
class PayloadLimitsTests {

  private final GalleryCodec codec = new GalleryCodec();

  @Test
  void labelsAndMetadataWithinTheLimitsPass() {
    assertThatCode(
            () ->
                codec.checkLimits(
                    "a",
                    "x".repeat(GalleryCodec.MAX_LABEL_CHARS),
                    Map.of("k", "v".repeat(GalleryCodec.MAX_METADATA_BYTES - 20))))
        .doesNotThrowAnyException();
    assertThatCode(() -> codec.checkLimits("a", null, null)).doesNotThrowAnyException();
  }

  @Test
  void aLongLabelIsABadRequestAndBigMetadataIsTooLarge() {
    assertThatThrownBy(
            () -> codec.checkLimits("a", "x".repeat(GalleryCodec.MAX_LABEL_CHARS + 1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label is 257 chars");
    assertThatThrownBy(
            () ->
                codec.checkLimits(
                    "a", "ok", Map.of("k", "v".repeat(GalleryCodec.MAX_METADATA_BYTES))))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessageContaining("at most " + GalleryCodec.MAX_METADATA_BYTES);
  }

  @Test
  void aRequestWithOneOversizedItemIsRefusedBeforeAnyWrite() {
    // No model serves: had the check not come first, the write would fail with NoModelServing.
    GalleryItems items =
        new GalleryItems(new ActiveModel(null, null), null, codec, Duration.ofSeconds(1));
    List<GalleryItems.Item> request =
        List.of(
            new GalleryItems.Item("fine", null, "00", "ok", null),
            new GalleryItems.Item(
                "big", null, "00", "ok", Map.of("k", "v".repeat(GalleryCodec.MAX_METADATA_BYTES))));
    assertThatThrownBy(() -> items.index(request)).isInstanceOf(PayloadTooLargeException.class);
  }
}
