package dev.pipit.api;

import dev.pipit.gallery.GalleryItems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Browsing the gallery page by page. Its own path ({@code /v1/items}, not {@code /v1/index/items})
 * so that no gallery item id is shadowed by a listing route.
 */
@RestController
@Tag(name = "index", description = "Add, read and delete gallery items")
class ItemsController {

  /** The largest page. */
  static final int MAX_LIMIT = 500;

  private final GalleryItems items;

  ItemsController(GalleryItems items) {
    this.items = items;
  }

  @GetMapping("/v1/items")
  @Operation(
      summary = "Browse the gallery",
      description =
          "Items in id order, `limit` at a time (1 to 500), starting after the id `after`; the"
              + " answer's `next` is the `after` of the next page (absent on the last page).")
  ItemPage page(
      @Parameter(description = "start after this id (exclusive)")
          @RequestParam(name = "after", required = false)
          String after,
      @Parameter(example = "48") @RequestParam(name = "limit", defaultValue = "48") int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
    }
    return ItemPage.of(items.page(after == null || after.isEmpty() ? null : after, limit));
  }
}
