package dev.pipit.api;

import dev.pipit.gallery.GalleryItems;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON body of {@code POST /v1/index}, and the {@code items} part of its multipart form (where
 * {@code code} is left out: the images are encoded, in part order).
 *
 * @param items what to add or replace, by id
 */
@Schema(
    example =
        """
        {"items":[{"id":"sku-1","code":"a3f09c11e7d2","label":"Sneaker","metadata":{"shop":"north"}}]}\
        """)
record IndexRequest(@NotEmpty List<@Valid Item> items) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * The {@code items} part of a multipart index request, checked against its {@code images} parts.
   *
   * @throws IllegalArgumentException if it is not JSON or does not describe each image with an id
   */
  static IndexRequest ofPart(String itemsJson, int images) {
    IndexRequest request;
    try {
      request = JSON.readValue(itemsJson, IndexRequest.class);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "the items part is not valid JSON: " + e.getOriginalMessage());
    }
    if (request.items() == null || request.items().size() != images) {
      throw new IllegalArgumentException(
          "the items part must describe each of the " + images + " images, in order");
    }
    for (int i = 0; i < images; i++) {
      String id = request.items().get(i).id();
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("item " + i + " has no id");
      }
    }
    return request;
  }

  /** The items, with {@code images} (one per item, in order) or, when null, their codes. */
  List<GalleryItems.Item> toItems(List<byte[]> images) {
    List<GalleryItems.Item> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      out.add(
          images == null
              ? new GalleryItems.Item(item.id(), null, item.code(), item.label(), item.metadata())
              : new GalleryItems.Item(
                  item.id(), images.get(i), null, item.label(), item.metadata()));
    }
    return out;
  }

  /**
   * One gallery item.
   *
   * @param id external id (up to 256 bytes of UTF-8); an existing id is replaced
   * @param code precomputed code in hex (JSON form only)
   * @param label class label, optional
   * @param metadata free-form metadata, optional
   */
  record Item(@NotBlank String id, String code, String label, Map<String, String> metadata) {}
}
