package dev.pipit.api;

import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.ModelRef;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * Response of {@code POST /v1/search}.
 *
 * @param model the model whose codes were compared
 * @param results hits in (distance, insertion order) order
 * @param timings where the time went, in milliseconds: decode (and preprocess), queue, encode,
 *     scan, rescore
 * @param ordering how equal distances are ordered: {@code rescored} (by the query's real-valued
 *     output against the codes) or {@code hamming} (insertion order; code searches, {@code
 *     rescore=false})
 * @param queryCode the query's code (hex): an image search repeats, or is shared, as a search by
 *     this code
 */
@Schema(
    example =
        """
        {"model":{"id":"agmh-fmnist-48","architecture":"agmh","bits":48,"fingerprint":"9f2c41d07a3b5e88"},
         "results":[{"id":"demo-00042","distance":3,"label":"Sneaker","metadata":{"source":"test/42"},
           "image":"/v1/images/5d41402abc4b2a76b9719d911017c592ae8b1c0f6a2e1b6c2f3b1a0e9d8c7b6a",
           "thumbnail":"/v1/images/5d41402abc4b2a76b9719d911017c592ae8b1c0f6a2e1b6c2f3b1a0e9d8c7b6a/thumbnail"}],
         "timings":{"decode":1.8,"queue":0.4,"encode":61.2,"scan":0.05,"rescore":0.02},
         "ordering":"rescored","queryCode":"9c3e07a1f25b"}\
        """)
record SearchResponse(
    ModelRef model,
    List<Hit> results,
    Map<String, Double> timings,
    String ordering,
    String queryCode) {

  static SearchResponse of(GallerySearch.Result result) {
    return new SearchResponse(
        result.model(),
        Hit.of(result.hits()),
        result.timings(),
        result.ordering().label(),
        result.queryCode());
  }

  /**
   * One gallery item.
   *
   * @param id its id
   * @param distance Hamming distance to the query
   * @param label its label, if it has one
   * @param metadata its metadata
   * @param image URL of its kept original, if one is kept
   * @param thumbnail URL of its thumbnail, if an original is kept
   * @param score asymmetric score against the query's real-valued output, only when a code search
   *     carried {@code values} (what a cluster router merges shards by)
   */
  record Hit(
      String id,
      int distance,
      String label,
      Map<String, String> metadata,
      String image,
      String thumbnail,
      Double score) {

    static List<Hit> of(List<GallerySearch.Hit> hits) {
      return hits.stream().map(Hit::of).toList();
    }

    static Hit of(GallerySearch.Hit h) {
      String image = ImageUrls.original(h.image());
      return new Hit(
          h.id(),
          h.distance(),
          h.label(),
          h.metadata(),
          image,
          ImageUrls.thumbnail(h.image()),
          h.score());
    }
  }
}
