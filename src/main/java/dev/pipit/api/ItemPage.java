package dev.pipit.api;

import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.gallery.ModelRef;
import java.util.List;
import java.util.Map;

/**
 * Response of {@code GET /v1/items}: one page of the gallery in id order.
 *
 * @param model the model whose index holds the items
 * @param items the page's items, ids ascending
 * @param next the {@code after} of the next page, or null on the last page
 */
record ItemPage(ModelRef model, List<Item> items, String next) {

  static ItemPage of(GalleryItems.Page page) {
    return new ItemPage(page.model(), page.items().stream().map(Item::of).toList(), page.next());
  }

  /**
   * One gallery item.
   *
   * @param id its id
   * @param code its code in hex
   * @param label its label, or null
   * @param metadata its metadata, or null
   * @param image URL of its kept original, or null
   * @param thumbnail URL of its thumbnail, or null
   */
  record Item(
      String id,
      String code,
      String label,
      Map<String, String> metadata,
      String image,
      String thumbnail) {

    static Item of(GalleryItems.StoredItem item) {
      GalleryPayload payload = item.payload();
      return new Item(
          item.id(),
          item.code(),
          payload.label(),
          payload.metadata(),
          ImageUrls.original(payload.image()),
          ImageUrls.thumbnail(payload.image()));
    }
  }
}
