package dev.pipit.api;

import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.GalleryWrites;
import dev.pipit.index.Code;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * {@code POST /v1/search}: an image (or a precomputed code, or a batch of images) in, the nearest
 * gallery items out. The search itself is {@link GallerySearch}'s.
 */
@RestController
@Tag(name = "search", description = "Find gallery images of the same fine-grained class")
class SearchController {

  private static final String RESCORE =
      "order equal distances by the query's real-valued output against the gallery codes"
          + " (default: pipit.serving.rescore, on); false: the exact Hamming order (distance, then"
          + " insertion)";

  private static final String MIN_SEQUENCE =
      "cluster node: wait (up to pipit.cluster.read-wait, else 504) until the node has applied"
          + " this change-log sequence (a write's `sequence`); standalone: ignored";

  private final GallerySearch search;
  private final GalleryWrites writes;
  private final ApiLimits limits;

  SearchController(GallerySearch search, GalleryWrites writes, ApiLimits limits) {
    this.search = search;
    this.writes = writes;
    this.limits = limits;
  }

  @PostMapping(path = "/v1/search", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(
      summary = "Search by image",
      description =
          "Encodes the uploaded image with the active model and returns the k nearest gallery items"
              + " (or every item within `radius`, 400 if more than max-k), optionally only those"
              + " with `label` (looked for among the nearest 10,000 items).")
  SearchResponse searchByImage(
      @Parameter(description = "JPEG, PNG, BMP, GIF or WebP image") @RequestPart("image")
          MultipartFile image,
      @Parameter(example = "10") @RequestParam(name = "k", defaultValue = "10") int k,
      @Parameter(description = "every item within this Hamming distance instead of the top k")
          @RequestParam(name = "radius", required = false)
          Integer radius,
      @Parameter(description = "only items with this label", example = "Sneaker")
          @RequestParam(name = "label", required = false)
          String label,
      @Parameter(description = RESCORE) @RequestParam(name = "rescore", required = false)
          Boolean rescore,
      @Parameter(description = MIN_SEQUENCE) @RequestParam(name = "minSequence", required = false)
          Long minSequence)
      throws IOException {
    writes.awaitSequence(minSequence);
    return SearchResponse.of(
        search.byImage(image.getBytes(), new GallerySearch.Query(k, radius, label, rescore)));
  }

  @PostMapping(path = "/v1/search", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Search by code",
      description = "Searches with a precomputed code of the active model.")
  SearchResponse searchByCode(
      @Valid @RequestBody CodeSearchRequest request,
      @Parameter(description = MIN_SEQUENCE + " (or the body's `minSequence`)")
          @RequestParam(name = "minSequence", required = false)
          Long minSequence) {
    writes.awaitSequence(later(minSequence, request.minSequence()));
    int k = request.k() == null ? 10 : request.k();
    if (request.values() != null) {
      String signs = Code.fromSigns(request.values()).toHex();
      if (!signs.equalsIgnoreCase(request.code())) {
        throw new IllegalArgumentException("code must be the signs of values (" + signs + ")");
      }
      return SearchResponse.of(
          search.byValues(
              request.values(),
              new GallerySearch.Query(k, request.radius(), request.label(), request.rescore())));
    }
    GallerySearch.Query query = new GallerySearch.Query(k, request.radius(), request.label());
    return SearchResponse.of(
        writes.tiesById()
            ? search.byCodeTiesById(request.code(), query)
            : search.byCode(request.code(), query));
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
          String label,
      @Parameter(description = RESCORE) @RequestParam(name = "rescore", required = false)
          Boolean rescore,
      @Parameter(description = MIN_SEQUENCE) @RequestParam(name = "minSequence", required = false)
          Long minSequence)
      throws IOException {
    writes.awaitSequence(minSequence);
    if (images.size() > limits.maxItems()) {
      throw new IllegalArgumentException(
          "at most " + limits.maxItems() + " images per batch, got " + images.size());
    }
    List<byte[]> bytes = new ArrayList<>();
    for (MultipartFile image : images) {
      bytes.add(image.getBytes());
    }
    return BatchSearchResponse.of(search.batch(bytes, k, label, rescore));
  }

  private static Long later(Long a, Long b) {
    return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
  }
}
