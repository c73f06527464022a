package dev.pipit.api;

import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.ModelRef;
import java.util.List;
import java.util.Map;

/**
 * Response of {@code POST /v1/search/batch}: one entry per image part, in request order.
 *
 * @param model the model whose codes were compared
 * @param queries per image: its hits, or why it could not be searched
 * @param timings milliseconds: decode+queue+encode of the whole batch ("encode") and the scan
 * @param ordering how equal distances are ordered: {@code rescored} or {@code hamming}
 */
record BatchSearchResponse(
    ModelRef model, List<Query> queries, Map<String, Double> timings, String ordering) {

  static BatchSearchResponse of(GallerySearch.BatchResult result) {
    List<Query> queries =
        result.entries().stream()
            .map(
                e ->
                    new Query(
                        e.index(),
                        e.hits() == null ? null : SearchResponse.Hit.of(e.hits()),
                        e.error()))
            .toList();
    return new BatchSearchResponse(
        result.model(), queries, result.timings(), result.ordering().label());
  }

  /**
   * @param index position of the image part
   * @param results its hits, or null when it failed
   * @param error why it failed (an image refused, say), or null
   */
  record Query(int index, List<SearchResponse.Hit> results, String error) {}
}
