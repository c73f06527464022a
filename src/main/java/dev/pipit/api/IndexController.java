package dev.pipit.api;

import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.gallery.GalleryWrites;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** The gallery: add (upsert) items by image or code, read, delete, and describe the index. */
@RestController
@Tag(name = "index", description = "Add, read and delete gallery items")
class IndexController {

  private final GalleryItems items;
  private final GalleryWrites writes;
  private final ApiLimits limits;

  IndexController(GalleryItems items, GalleryWrites writes, ApiLimits limits) {
    this.items = items;
    this.writes = writes;
    this.limits = limits;
  }

  @PostMapping(path = "/v1/index", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Index precomputed codes",
      description =
          "Upserts items whose codes the caller computed with the active model. Such items keep no "
              + "original, so a model switch cannot re-encode them and leaves them out.")
  IndexResponse indexCodes(@Valid @RequestBody IndexRequest request) {
    checkCount(request.items().size());
    return IndexResponse.of(writes.index(request.toItems(null)));
  }

  @PostMapping(path = "/v1/index", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(
      summary = "Index images",
      description =
          "Encodes each `image` part and upserts it under the matching entry of the `items` part"
              + " (JSON, same shape as the JSON form without codes). Originals are kept"
              + " (content-addressed, capped) with thumbnails. A bad image fails its item only.")
  IndexResponse indexImages(
      @RequestPart("image") List<MultipartFile> images, @RequestPart("items") String itemsJson)
      throws IOException {
    IndexRequest request = IndexRequest.ofPart(itemsJson, images.size());
    checkCount(images.size());
    List<byte[]> bytes = new ArrayList<>();
    for (MultipartFile image : images) {
      bytes.add(image.getBytes());
    }
    return IndexResponse.of(writes.index(request.toItems(bytes)));
  }

  @GetMapping("/v1/index/{id}")
  @Operation(summary = "Read one gallery item")
  Map<String, Object> get(@PathVariable String id) {
    GalleryItems.StoredItem item = items.get(id);
    GalleryPayload payload = item.payload();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", item.id());
    out.put("code", item.code());
    out.put("label", payload.label() == null ? "" : payload.label());
    out.put("metadata", payload.metadata());
    if (payload.image() != null) {
      out.put("image", ImageUrls.original(payload.image()));
      out.put("thumbnail", ImageUrls.thumbnail(payload.image()));
    }
    out.put("model", item.model());
    return out;
  }

  @DeleteMapping("/v1/index/{id}")
  @Operation(
      summary = "Delete one gallery item",
      description =
          "404 if no item has the id. 204 in standalone mode; on a cluster node 200 with the"
              + " change-log `sequence` of the delete (for `minSequence`).")
  ResponseEntity<Map<String, Object>> delete(@PathVariable String id) {
    Long sequence = writes.delete(id);
    if (sequence == null) {
      return ResponseEntity.noContent().build();
    }
    return ResponseEntity.ok(Map.of("id", id, "sequence", sequence));
  }

  @GetMapping("/v1/index")
  @Operation(
      summary = "Describe the index",
      description =
          "Size, code length, model, memory, last snapshot, and the store of kept originals.")
  IndexDescription describe() {
    return IndexDescription.of(items.describe());
  }

  private void checkCount(int count) {
    if (count > limits.maxItems()) {
      throw new IllegalArgumentException(
          "at most " + limits.maxItems() + " items per request, got " + count);
    }
  }
}
