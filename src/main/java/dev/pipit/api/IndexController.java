package dev.pipit.api;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.gallery.ServingModel;
import dev.pipit.index.Entry;
import dev.pipit.index.IndexStats;
import dev.pipit.index.UnknownIdException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** The gallery: add (upsert) items by image or code, read, delete, and describe the index. */
@RestController
@Tag(name = "index", description = "Add, read and delete gallery items")
class IndexController {

  private final ActiveModel active;
  private final GalleryItems items;
  private final GalleryCodec codec;
  private final ApiLimits limits;
  private final JsonMapper json = JsonMapper.builder().build();

  IndexController(ActiveModel active, GalleryItems items, GalleryCodec codec, ApiLimits limits) {
    this.active = active;
    this.items = items;
    this.codec = codec;
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
    List<GalleryItems.Item> batch = new ArrayList<>();
    for (IndexRequest.Item item : request.items()) {
      batch.add(new GalleryItems.Item(item.id(), null, item.code(), item.label(), item.metadata()));
    }
    return response(items.index(batch));
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
    IndexRequest request;
    try {
      request = json.readValue(itemsJson, IndexRequest.class);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "the items part is not valid JSON: " + e.getOriginalMessage());
    }
    if (request.items() == null || request.items().size() != images.size()) {
      throw new IllegalArgumentException(
          "the items part must describe each of the " + images.size() + " images, in order");
    }
    checkCount(images.size());
    List<GalleryItems.Item> batch = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      IndexRequest.Item item = request.items().get(i);
      if (item.id() == null || item.id().isBlank()) {
        throw new IllegalArgumentException("item " + i + " has no id");
      }
      batch.add(
          new GalleryItems.Item(
              item.id(), images.get(i).getBytes(), null, item.label(), item.metadata()));
    }
    return response(items.index(batch));
  }

  @GetMapping("/v1/index/{id}")
  @Operation(summary = "Read one gallery item")
  Map<String, Object> get(@PathVariable String id) {
    ServingModel model = model();
    Entry entry =
        model
            .index()
            .get(id)
            .orElseThrow(() -> new UnknownIdException("no gallery item has id " + id));
    GalleryPayload payload = codec.read(entry.payload());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", entry.id());
    out.put("code", entry.code().toHex());
    out.put("label", payload.label() == null ? "" : payload.label());
    out.put("metadata", payload.metadata());
    if (payload.image() != null) {
      out.put("image", "/v1/images/" + payload.image());
      out.put("thumbnail", "/v1/images/" + payload.image() + "/thumbnail");
    }
    out.put("model", model.ref());
    return out;
  }

  @DeleteMapping("/v1/index/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete one gallery item", description = "404 if no item has the id.")
  void delete(@PathVariable String id) {
    items.delete(id);
  }

  @GetMapping("/v1/index")
  @Operation(
      summary = "Describe the index",
      description =
          "Size, code length, model, memory, last snapshot, and the store of kept originals.")
  Map<String, Object> describe() {
    ServingModel model = model();
    IndexStats stats = model.index().stats();
    Map<String, Object> originals =
        Map.of(
            "count",
            items.store().originals(),
            "bytes",
            items.store().usedBytes(),
            "maxBytes",
            items.store().maxBytes());
    return Map.of(
        "model",
        model.ref(),
        "size",
        stats.size(),
        "bits",
        stats.bits(),
        "stats",
        stats,
        "originals",
        originals);
  }

  private static IndexResponse response(GalleryItems.Indexed indexed) {
    List<GalleryItems.Outcome> outcomes = indexed.outcomes();
    List<IndexResponse.ItemResult> results = new ArrayList<>();
    for (GalleryItems.Outcome o : outcomes) {
      results.add(
          new IndexResponse.ItemResult(
              o.id(),
              o.indexed() ? "indexed" : "failed",
              o.reason(),
              o.image() == null ? null : "/v1/images/" + o.image()));
    }
    int stored = (int) outcomes.stream().filter(GalleryItems.Outcome::indexed).count();
    return new IndexResponse(indexed.model(), stored, results.size() - stored, results);
  }

  private void checkCount(int count) {
    if (count > limits.maxItems()) {
      throw new IllegalArgumentException(
          "at most " + limits.maxItems() + " items per request, got " + count);
    }
  }

  private ServingModel model() {
    return active.require();
  }
}
