package dev.pipit.api;

import dev.pipit.jobs.ModelRef;
import java.util.List;
import java.util.Map;

/**
 * Response of {@code POST /v1/search}.
 *
 * @param model the model whose codes were compared
 * @param results hits in (distance, insertion order) order
 * @param timings where the time went, in milliseconds: decode (and preprocess), queue, encode, scan
 */
record SearchResponse(ModelRef model, List<Hit> results, Map<String, Double> timings) {

  /**
   * One gallery item.
   *
   * @param id its id
   * @param distance Hamming distance to the query
   * @param label its label, if it has one
   * @param metadata its metadata
   */
  record Hit(String id, int distance, String label, Map<String, String> metadata) {}
}
