package dev.pipit.cluster.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Merges the hits of every shard into the exact top k. Each shard returns its own top k, so the
 * global top k lies in their union. The order is the single node's: Hamming distance, then (a
 * rescored search) the asymmetric score, highest first; what is still equal is ordered by id, the
 * tie rule of the cluster's oracle ({@code ORDER BY bit_count(code # q), id}), since insertion
 * order does not compare across shards.
 */
public final class TopKMerge {

  static final Comparator<JsonNode> ORDER =
      Comparator.<JsonNode>comparingInt(hit -> hit.get("distance").asInt())
          .thenComparing(TopKMerge::score, Comparator.reverseOrder())
          .thenComparing(hit -> hit.get("id").asString());

  private TopKMerge() {}

  /**
   * The first {@code limit} hits of all {@code shards} together, in the single-node order; {@code
   * limit} &lt; 0: all of them (a radius search, each shard bounded already).
   */
  public static List<JsonNode> merge(List<List<JsonNode>> shards, int limit) {
    List<JsonNode> all = new ArrayList<>();
    shards.forEach(all::addAll);
    all.sort(ORDER);
    return limit < 0 || all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
  }

  private static double score(JsonNode hit) {
    JsonNode score = hit.get("score");
    return score == null || score.isNull() ? 0 : score.asDouble();
  }
}
