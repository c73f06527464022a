package dev.pipit.api;

import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.Entry;
import dev.pipit.index.IndexStats;
import dev.pipit.index.UnknownIdException;
import dev.pipit.jobs.GalleryCodec;
import dev.pipit.jobs.GalleryPayload;
import dev.pipit.jobs.ServingModel;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.ObjectProvider;
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
import tools.jackson.databind.json.JsonMapper;

/** The gallery: add (upsert) items by image or code, read, delete, and describe the index. */
@RestController
@Tag(name = "index", description = "Add, read and delete gallery items")
class IndexController {

  private final ObjectProvider<ServingModel> serving;
  private final GalleryCodec codec;
  private final ApiLimits limits;
  private final JsonMapper json = JsonMapper.builder().build();

  IndexController(ObjectProvider<ServingModel> serving, GalleryCodec codec, ApiLimits limits) {
    this.serving = serving;
    this.codec = codec;
    this.limits = limits;
  }

  @PostMapping(path = "/v1/index", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Index precomputed codes", description = "Upserts items whose codes the caller computed with the active model.")
  IndexResponse indexCodes(@Valid @RequestBody IndexRequest request) {
    ServingModel model = active();
    checkCount(request.items().size());
    List<IndexResponse.ItemResult> results = new ArrayList<>();
    for (IndexRequest.Item item : request.items()) {
      results.add(store(model, item, () -> Code.fromHex(model.ref().bits(), require(item.code(), item.id()))));
    }
    return response(model, results);
  }

  @PostMapping(path = "/v1/index", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(summary = "Index images", description = "Encodes each image part and upserts it under the matching entry of the items part. A bad image fails its item only.")
  IndexResponse indexImages(@RequestPart("image") List<MultipartFile> images, @RequestPart("items") String itemsJson)
      throws IOException {
    ServingModel model = active();
    IndexRequest request = json.readValue(itemsJson, IndexRequest.class);
    if (request.items() == null || request.items().size() != images.size()) {
      throw new IllegalArgumentException("the items part must describe each of the " + images.size() + " images, in order");
    }
    checkCount(images.size());
    List<CompletableFuture<ImageEncoder.Result>> encodings = new ArrayList<>();
    List<RuntimeException> refusals = new ArrayList<>();
    for (MultipartFile image : images) {
      try {
        encodings.add(model.encoder().encode(image.getBytes()));
        refusals.add(null);
      } catch (RuntimeException e) {
        encodings.add(null);
        refusals.add(e);
      }
    }
    List<IndexResponse.ItemResult> results = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      int at = i;
      results.add(store(model, request.items().get(i), () -> {
        if (refusals.get(at) != null) {
          throw refusals.get(at);
        }
        return Futures.await(encodings.get(at)).code();
      }));
    }
    return response(model, results);
  }

  @GetMapping("/v1/index/{id}")
  @Operation(summary = "Read one gallery item")
  Map<String, Object> get(@PathVariable String id) {
    ServingModel model = active();
    Entry entry = model.index().get(id).orElseThrow(() -> new UnknownIdException("no gallery item has id " + id));
    GalleryPayload payload = codec.read(entry.payload());
    return Map.of(
        "id", entry.id(),
        "code", entry.code().toHex(),
        "label", payload.label() == null ? "" : payload.label(),
        "metadata", payload.metadata(),
        "model", model.ref());
  }

  @DeleteMapping("/v1/index/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete one gallery item")
  void delete(@PathVariable String id) {
    active().index().delete(id);
  }

  @GetMapping("/v1/index")
  @Operation(summary = "Describe the index", description = "Size, code length, model and memory of the gallery index.")
  Map<String, Object> describe() {
    ServingModel model = active();
    IndexStats stats = model.index().stats();
    return Map.of("model", model.ref(), "size", stats.size(), "bits", stats.bits(), "stats", stats);
  }

  private interface CodeSource {
    Code get();
  }

  private IndexResponse.ItemResult store(ServingModel model, IndexRequest.Item item, CodeSource code) {
    try {
      model.index().upsert(item.id(), code.get(), codec.write(item.label(), item.metadata()));
      return new IndexResponse.ItemResult(item.id(), "indexed", null);
    } catch (IllegalArgumentException | dev.pipit.encode.ImageDecodeException e) {
      return new IndexResponse.ItemResult(item.id(), "failed", e.getMessage());
    }
  }

  private static String require(String code, String id) {
    if (code == null) {
      throw new IllegalArgumentException("item " + id + " has no code");
    }
    return code;
  }

  private static IndexResponse response(ServingModel model, List<IndexResponse.ItemResult> results) {
    int indexed = (int) results.stream().filter(r -> r.status().equals("indexed")).count();
    return new IndexResponse(model.ref(), indexed, results.size() - indexed, results);
  }

  private void checkCount(int items) {
    if (items > limits.maxItems()) {
      throw new IllegalArgumentException("at most " + limits.maxItems() + " items per request, got " + items);
    }
  }

  private ServingModel active() {
    ServingModel model = serving.getIfAvailable();
    if (model == null) {
      throw new NoModelException();
    }
    return model;
  }
}
