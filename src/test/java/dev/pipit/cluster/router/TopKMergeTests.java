package dev.pipit.cluster.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.cluster.ShardFunction;
import dev.pipit.gallery.Rescoring;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.index.SearchHit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The router's merge of S shards' top k equals one index holding every item, on real {@link
 * HammingIndex}es: random codes and codes clustered around a few centres (many ties, many equal
 * codes), plain Hamming order and rescored order. Items are added in id order, so the single node's
 * insertion order is the id order the router breaks remaining ties by.
 */
class TopKMergeTests {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final int BITS = 16; // short codes: plenty of equal distances

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5})
  void mergeOfShardsEqualsOneIndex(int shards) {
    Random random = new Random(42 + shards);
    for (boolean clustered : new boolean[] {false, true}) {
      List<Code> codes = codes(random, 600, clustered);
      HammingIndex single = HammingIndex.inMemory(IndexOptions.of(BITS, "m"));
      List<HammingIndex> parts = new ArrayList<>();
      ShardFunction shardOf = new ShardFunction(shards);
      for (int s = 0; s < shards; s++) {
        parts.add(HammingIndex.inMemory(IndexOptions.of(BITS, "m")));
      }
      for (int i = 0; i < codes.size(); i++) {
        String id = "item-%05d".formatted(i); // zero-padded: id order = insertion order
        single.add(id, codes.get(i), new byte[0]);
        parts.get(shardOf.shardOf(id)).add(id, codes.get(i), new byte[0]);
      }
      for (int q = 0; q < 40; q++) {
        float[] values = new float[BITS];
        for (int b = 0; b < BITS; b++) {
          values[b] = (float) random.nextGaussian();
        }
        Code query = Code.fromSigns(values);
        int k = 1 + random.nextInt(60);
        // plain Hamming order: (distance, insertion)
        List<String> expected = ids(single.search(query, k));
        List<List<JsonNode>> lists = new ArrayList<>();
        for (HammingIndex part : parts) {
          lists.add(hits(part.search(query, k), null));
        }
        assertThat(idsOf(TopKMerge.merge(lists, k))).as("k=%d", k).isEqualTo(expected);
        // rescored: a window of candidates reordered by the asymmetric score, as GallerySearch does
        int window = 600;
        List<String> rescored =
            ids(Rescoring.reorder(single.search(query, window), values))
                .subList(0, Math.min(k, codes.size()));
        List<List<JsonNode>> scored = new ArrayList<>();
        for (HammingIndex part : parts) {
          List<SearchHit> top = Rescoring.reorder(part.search(query, window), values);
          scored.add(hits(top.subList(0, Math.min(k, top.size())), values));
        }
        assertThat(idsOf(TopKMerge.merge(scored, k))).as("rescored k=%d", k).isEqualTo(rescored);
      }
    }
  }

  @Test
  void aRadiusSearchKeepsEveryHitInOrder() {
    List<List<JsonNode>> lists =
        List.of(
            List.of(hit("b", 0, null), hit("d", 2, null)),
            List.of(hit("a", 0, null), hit("c", 1, null)));
    assertThat(idsOf(TopKMerge.merge(lists, -1))).containsExactly("a", "b", "c", "d");
  }

  static List<Code> codes(Random random, int n, boolean clustered) {
    List<Code> centres = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      centres.add(Code.of(BITS, random.nextLong() & 0xffffL));
    }
    List<Code> codes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long word;
      if (clustered) {
        word = centres.get(random.nextInt(centres.size())).words()[0];
        if (random.nextBoolean()) {
          word ^= 1L << random.nextInt(BITS); // one bit off the centre, or the centre itself
        }
      } else {
        word = random.nextLong() & 0xffffL;
      }
      codes.add(Code.of(BITS, word));
    }
    return codes;
  }

  static List<JsonNode> hits(List<SearchHit> found, float[] values) {
    return found.stream()
        .map(
            h ->
                (JsonNode)
                    hit(
                        h.id(),
                        h.distance(),
                        values == null ? null : Rescoring.score(values, h.code())))
        .toList();
  }

  static ObjectNode hit(String id, int distance, Double score) {
    ObjectNode node = JSON.createObjectNode().put("id", id).put("distance", distance);
    if (score != null) {
      node.put("score", score);
    }
    return node;
  }

  static List<String> ids(List<SearchHit> hits) {
    return hits.stream().map(SearchHit::id).toList();
  }

  static List<String> idsOf(List<JsonNode> hits) {
    return hits.stream().map(h -> h.get("id").asString()).toList();
  }
}
