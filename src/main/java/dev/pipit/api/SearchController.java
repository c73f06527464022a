package dev.pipit.api;

import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.SearchHit;
import dev.pipit.jobs.GalleryCodec;
import dev.pipit.jobs.GalleryPayload;
import dev.pipit.jobs.ServingModel;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** {@code POST /v1/search}: an image (or a precomputed code) in, the nearest gallery items out. */
@RestController
@Tag(name = "search", description = "Find gallery images of the same fine-grained class")
class SearchController {

  private final ObjectProvider<ServingModel> serving;
  private final GalleryCodec codec;
  private final int maxK;

  SearchController(ObjectProvider<ServingModel> serving, GalleryCodec codec, ApiLimits limits) {
    this.serving = serving;
    this.codec = codec;
    this.maxK = limits.maxK();
  }

  @PostMapping(path = "/v1/search", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(summary = "Search by image", description = "Encodes the uploaded image and returns the k nearest gallery items.")
  SearchResponse searchByImage(
      @RequestPart("image") MultipartFile image,
      @RequestParam(name = "k", defaultValue = "10") int k,
      @RequestParam(name = "radius", required = false) Integer radius)
      throws IOException {
    ServingModel model = active();
    checkK(k);
    ImageEncoder.Result encoded = Futures.await(model.encoder().encode(image.getBytes()));
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("decode", millis(encoded.decodeNanos()));
    timings.put("queue", millis(encoded.queueNanos()));
    timings.put("encode", millis(encoded.forwardNanos()));
    return scan(model, encoded.code(), k, radius, timings);
  }

  @PostMapping(path = "/v1/search", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Search by code", description = "Searches with a precomputed code of the active model.")
  SearchResponse searchByCode(@Valid @RequestBody CodeSearchRequest request) {
    ServingModel model = active();
    int k = request.k() == null ? 10 : request.k();
    checkK(k);
    Code code = Code.fromHex(model.ref().bits(), request.code());
    return scan(model, code, k, request.radius(), new LinkedHashMap<>());
  }

  private SearchResponse scan(ServingModel model, Code code, int k, Integer radius, Map<String, Double> timings) {
    long start = System.nanoTime();
    List<SearchHit> hits = radius == null ? model.index().search(code, k) : model.index().searchRadius(code, radius);
    timings.put("scan", millis(System.nanoTime() - start));
    List<SearchResponse.Hit> results =
        hits.stream()
            .map(h -> {
              GalleryPayload p = codec.read(h.payload());
              return new SearchResponse.Hit(h.id(), h.distance(), p.label(), p.metadata());
            })
            .toList();
    return new SearchResponse(model.ref(), results, timings);
  }

  private void checkK(int k) {
    if (k < 1 || k > maxK) {
      throw new IllegalArgumentException("k must be 1.." + maxK + ", got " + k);
    }
  }

  private ServingModel active() {
    ServingModel model = serving.getIfAvailable();
    if (model == null) {
      throw new NoModelException();
    }
    return model;
  }

  static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
