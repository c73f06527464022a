package dev.pipit.api;

import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryWrites;
import dev.pipit.gallery.ModelRef;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * Response of {@code POST /v1/index}: one result per item, in request order.
 *
 * @param model the model whose codes were stored
 * @param indexed how many items were stored
 * @param failed how many were refused
 * @param items per-item outcome
 * @param sequence on a cluster node: the change-log sequence of the commit, to pass as a search's
 *     {@code minSequence} (read-your-writes on any replica); absent in standalone mode
 */
@Schema(
    example =
        """
        {"model":{"id":"agmh-fmnist-48","architecture":"agmh","bits":48,"fingerprint":"9f2c41d07a3b5e88"},
         "indexed":1,"failed":1,
         "items":[{"id":"sku-1","status":"indexed",
                   "image":"/v1/images/5d41402abc4b2a76b9719d911017c592ae8b1c0f6a2e1b6c2f3b1a0e9d8c7b6a"},
                  {"id":"sku-2","status":"failed","reason":"the image is truncated"}]}\
        """)
record IndexResponse(
    ModelRef model, int indexed, int failed, List<ItemResult> items, Long sequence) {

  static IndexResponse of(GalleryWrites.Written written) {
    GalleryItems.Indexed indexed = written.indexed();
    List<ItemResult> results =
        indexed.outcomes().stream()
            .map(
                o ->
                    new ItemResult(
                        o.id(),
                        o.indexed() ? "indexed" : "failed",
                        o.reason(),
                        ImageUrls.original(o.image())))
            .toList();
    int stored = (int) indexed.outcomes().stream().filter(GalleryItems.Outcome::indexed).count();
    return new IndexResponse(
        indexed.model(), stored, results.size() - stored, results, written.sequence());
  }

  /**
   * @param id the item's id
   * @param status {@code indexed} or {@code failed}
   * @param reason why it failed
   * @param image URL of its kept original (the store keeps none past its cap, or for items given by
   *     code)
   */
  record ItemResult(String id, String status, String reason, String image) {}
}
