package dev.pipit.api;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.gallery.ServingModel;
import dev.pipit.gallery.Timeouts;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.SearchHit;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * {@code POST /v1/search}: an image (or a precomputed code, or a batch of images) in, the nearest
 * gallery items out.
 */
@RestController
@Tag(name = "search", description = "Find gallery images of the same fine-grained class")
class SearchController {

  private final ActiveModel active;
  private final GalleryCodec codec;
  private final ApiLimits limits;

  SearchController(ActiveModel active, GalleryCodec codec, ApiLimits limits) {
    this.active = active;
    this.codec = codec;
    this.limits = limits;
  }

  @PostMapping(path = "/v1/search", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(
      summary = "Search by image",
      description =
          "Encodes the uploaded image with the active model and returns the k nearest gallery items"
              + " (or every item within `radius`), optionally only those with `label`.")
  SearchResponse searchByImage(
      @Parameter(description = "JPEG, PNG, BMP, GIF or WebP image") @RequestPart("image")
          MultipartFile image,
      @Parameter(example = "10") @RequestParam(name = "k", defaultValue = "10") int k,
      @Parameter(description = "every item within this Hamming distance instead of the top k")
          @RequestParam(name = "radius", required = false)
          Integer radius,
      @Parameter(description = "only items with this label", example = "Sneaker")
          @RequestParam(name = "label", required = false)
          String label)
      throws IOException {
    ServingModel model = model();
    checkQuery(k, radius);
    ImageEncoder.Result encoded =
        Timeouts.await(model.encoder().encode(image.getBytes()), limits.requestTimeout());
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("decode", millis(encoded.decodeNanos()));
    timings.put("queue", millis(encoded.queueNanos()));
    timings.put("encode", millis(encoded.forwardNanos()));
    long start = System.nanoTime();
    List<SearchResponse.Hit> hits = search(model.index(), encoded.code(), k, radius, label);
    timings.put("scan", millis(System.nanoTime() - start));
    return new SearchResponse(model.ref(), hits, timings);
  }

  @PostMapping(path = "/v1/search", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Search by code",
      description = "Searches with a precomputed code of the active model.")
  SearchResponse searchByCode(@Valid @RequestBody CodeSearchRequest request) {
    ServingModel model = model();
    int k = request.k() == null ? 10 : request.k();
    checkQuery(k, request.radius());
    Code code = Code.fromHex(model.ref().bits(), request.code());
    long start = System.nanoTime();
    List<SearchResponse.Hit> hits =
        search(model.index(), code, k, request.radius(), request.label());
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("scan", millis(System.nanoTime() - start));
    return new SearchResponse(model.ref(), hits, timings);
  }

  @PostMapping(path = "/v1/search/batch", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(
      summary = "Search by several images",
      description =
          "Encodes every `image` part (they share encoder batches) and answers each with its k"
              + " nearest items in one pass over the gallery. A bad image fails its own entry"
              + " only.")
  BatchSearchResponse searchBatch(
      @RequestPart("image") List<MultipartFile> images,
      @Parameter(example = "10") @RequestParam(name = "k", defaultValue = "10") int k,
      @Parameter(description = "only items with this label")
          @RequestParam(name = "label", required = false)
          String label)
      throws IOException {
    ServingModel model = model();
    checkQuery(k, null);
    if (images.size() > limits.maxItems()) {
      throw new IllegalArgumentException(
          "at most " + limits.maxItems() + " images per batch, got " + images.size());
    }
    long start = System.nanoTime();
    List<CompletableFuture<ImageEncoder.Result>> encodings = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (MultipartFile image : images) {
      try {
        encodings.add(model.encoder().encode(image.getBytes()));
        errors.add(null);
      } catch (ImageDecodeException | EncoderOverloadedException e) {
        encodings.add(null);
        errors.add(e.getMessage());
      }
    }
    List<Code> codes = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      Code code = null;
      if (encodings.get(i) != null) {
        try {
          code = Timeouts.await(encodings.get(i), limits.requestTimeout()).code();
        } catch (ImageDecodeException | EncoderOverloadedException e) {
          errors.set(i, e.getMessage());
        }
      }
      codes.add(code);
    }
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("encode", millis(System.nanoTime() - start));
    start = System.nanoTime();
    List<Code> good = codes.stream().filter(Objects::nonNull).toList();
    List<List<SearchResponse.Hit>> answers = new ArrayList<>();
    if (label == null) {
      for (List<SearchHit> hits :
          model.index().searchBatch(good, Math.min(k, HammingIndex.MAX_K))) {
        answers.add(hits.stream().map(this::hit).toList());
      }
    } else {
      for (Code code : good) {
        answers.add(search(model.index(), code, k, null, label));
      }
    }
    timings.put("scan", millis(System.nanoTime() - start));
    List<BatchSearchResponse.Query> queries = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < images.size(); i++) {
      queries.add(
          codes.get(i) == null
              ? new BatchSearchResponse.Query(i, null, errors.get(i))
              : new BatchSearchResponse.Query(i, answers.get(next++), null));
    }
    return new BatchSearchResponse(model.ref(), queries, timings);
  }

  /**
   * The top k (or radius) hits, restricted to {@code label} if given. A label filter searches a
   * growing prefix of the exact ranking until k matches are found or the gallery is exhausted, so
   * it stays exact.
   */
  private List<SearchResponse.Hit> search(
      HammingIndex index, Code code, int k, Integer radius, String label) {
    if (radius != null) {
      return index.searchRadius(code, radius).stream()
          .map(this::hit)
          .filter(h -> matches(h, label))
          .toList();
    }
    if (label == null) {
      return index.search(code, k).stream().map(this::hit).toList();
    }
    int size = index.size();
    for (int fetch = Math.max(4 * k, 64); ; fetch *= 4) {
      int asked = Math.min(fetch, Math.min(size == 0 ? 1 : size, HammingIndex.MAX_K));
      List<SearchResponse.Hit> matching =
          index.search(code, asked).stream()
              .map(this::hit)
              .filter(h -> matches(h, label))
              .limit(k)
              .toList();
      if (matching.size() == k || asked >= size || asked == HammingIndex.MAX_K) {
        return matching;
      }
    }
  }

  private static boolean matches(SearchResponse.Hit hit, String label) {
    return label == null || label.equals(hit.label());
  }

  private SearchResponse.Hit hit(SearchHit h) {
    GalleryPayload p = codec.read(h.payload());
    String image = p.image() == null ? null : "/v1/images/" + p.image();
    return new SearchResponse.Hit(
        h.id(),
        h.distance(),
        p.label(),
        p.metadata(),
        image,
        image == null ? null : image + "/thumbnail");
  }

  private void checkQuery(int k, Integer radius) {
    if (k < 1 || k > limits.maxK()) {
      throw new IllegalArgumentException("k must be 1.." + limits.maxK() + ", got " + k);
    }
    if (radius != null && radius < 0) {
      throw new IllegalArgumentException("radius must be >= 0, got " + radius);
    }
  }

  private ServingModel model() {
    return active.require();
  }

  static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
