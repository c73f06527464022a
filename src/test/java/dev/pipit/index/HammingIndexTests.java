package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The public API: ids, payloads, upserts, deletes, the tie order, and rejected input. */
class HammingIndexTests {

  private final HammingIndex index = HammingIndex.inMemory(IndexOptions.of(48, "model-a"));

  @AfterEach
  void close() throws Exception {
    index.close();
  }

  private static Code code(String hex) {
    return Code.fromHex(48, hex);
  }

  @Test
  void addGetAndSearchReturnIdsDistancesAndPayloads() {
    index.add("a", code("000000000000"), "{\"label\":\"wren\"}".getBytes(StandardCharsets.UTF_8));
    index.add("b", code("030000000000"), null);
    index.add("c", code("ffffffffffff"), new byte[0]);

    assertThat(index.size()).isEqualTo(3);
    assertThat(index.get("a"))
        .hasValueSatisfying(
            e -> {
              assertThat(e.code()).isEqualTo(code("000000000000"));
              assertThat(new String(e.payload(), StandardCharsets.UTF_8))
                  .isEqualTo("{\"label\":\"wren\"}");
            });
    assertThat(index.get("zzz")).isEmpty();

    List<SearchHit> hits = index.search(code("010000000000"), 2);
    assertThat(hits).extracting(SearchHit::id).containsExactly("a", "b");
    assertThat(hits).extracting(SearchHit::distance).containsExactly(1, 1);
    assertThat(hits.get(1).payload()).isNull();
    assertThat(index.searchRadius(code("000000000000"), 2))
        .extracting(SearchHit::id)
        .containsExactly("a", "b");
    assertThat(index.searchRadius(code("000000000000"), 1000)).hasSize(3);
  }

  @Test
  void tiesBreakByInsertionOrderAndAnUpsertIsANewInsertion() {
    Code same = code("0f0f0f0f0f0f");
    for (String id : List.of("first", "second", "third")) {
      index.add(id, same, null);
    }
    assertThat(index.search(same, 3))
        .extracting(SearchHit::id)
        .containsExactly("first", "second", "third");

    index.upsert("first", same, "v2".getBytes(StandardCharsets.UTF_8));

    assertThat(index.size()).isEqualTo(3);
    assertThat(index.search(same, 3))
        .extracting(SearchHit::id)
        .containsExactly("second", "third", "first");
    assertThat(index.get("first").orElseThrow().payload())
        .isEqualTo("v2".getBytes(StandardCharsets.UTF_8));
    assertThat(index.stats().tombstones()).isEqualTo(1);
  }

  @Test
  void deletedEntriesLeaveResultsAndCompactionKeepsTheOrder() {
    Random rnd = new Random(3);
    for (int i = 0; i < 200; i++) {
      index.add("e" + i, TestCodes.random(48, rnd), null);
    }
    Code query = TestCodes.random(48, rnd);
    List<SearchHit> before = index.search(query, 50);
    for (int i = 0; i < 200; i += 2) {
      index.delete("e" + i);
    }
    List<SearchHit> expected =
        before.stream().filter(h -> Integer.parseInt(h.id().substring(1)) % 2 == 1).toList();
    List<SearchHit> after = index.search(query, 50);
    assertThat(after.subList(0, expected.size()))
        .extracting(SearchHit::id)
        .containsExactlyElementsOf(expected.stream().map(SearchHit::id).toList());

    index.compact();

    assertThat(index.stats().tombstones()).isZero();
    assertThat(index.stats().maintenance().compactions()).isEqualTo(1);
    assertThat(index.search(query, 50))
        .extracting(SearchHit::id)
        .containsExactlyElementsOf(after.stream().map(SearchHit::id).toList());
    assertThat(index.get("e0")).isEmpty();
    assertThat(index.get("e1")).isPresent();
  }

  @Test
  void batchedSearchAnswersEachQueryLikeASingleSearch() {
    Random rnd = new Random(5);
    for (int i = 0; i < 500; i++) {
      index.add("e" + i, TestCodes.random(48, rnd), null);
    }
    List<Code> queries =
        List.of(TestCodes.random(48, rnd), TestCodes.random(48, rnd), TestCodes.random(48, rnd));
    List<List<SearchHit>> batched = index.searchBatch(queries, 7);
    for (int q = 0; q < queries.size(); q++) {
      assertThat(batched.get(q))
          .usingRecursiveFieldByFieldElementComparator()
          .containsExactlyElementsOf(index.search(queries.get(q), 7));
    }
    assertThat(index.stats().search().batchedQueries()).isEqualTo(3);
    assertThat(index.searchBatch(List.of(), 3)).isEmpty();
  }

  @Test
  void rejectedCallsThrowClearExceptionsAndChangeNothing() {
    index.add("a", code("000000000000"), null);
    IndexStats before = index.stats();

    assertThatThrownBy(() -> index.add("b", Code.fromHex(64, "0000000000000000"), null))
        .isInstanceOf(InvalidCodeException.class)
        .hasMessageContaining("48-bit");
    assertThatThrownBy(() -> index.add("b", null, null)).isInstanceOf(InvalidCodeException.class);
    assertThatThrownBy(() -> index.add("b", Code.fromHex(48, "zz0000000000"), null))
        .isInstanceOf(InvalidCodeException.class);
    assertThatThrownBy(() -> Code.fromBase64(48, "***")).isInstanceOf(InvalidCodeException.class);
    assertThatThrownBy(() -> index.add("x".repeat(257), code("000000000000"), null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("257 bytes");
    assertThatThrownBy(() -> index.add("é".repeat(129), code("000000000000"), null)) // 258 bytes
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> index.add("", code("000000000000"), null))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> index.add("b", code("000000000000"), new byte[64 * 1024 + 1]))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> index.add("a", code("ffffffffffff"), null))
        .isInstanceOf(DuplicateIdException.class);
    assertThatThrownBy(() -> index.delete("nope")).isInstanceOf(UnknownIdException.class);
    assertThatThrownBy(() -> index.search(code("000000000000"), 0))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> index.searchRadius(code("000000000000"), -1))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(
            () ->
                index.upsertAll(
                    List.of(
                        new Entry("ok", code("000000000000"), null),
                        new Entry("bad", code("000000000000"), new byte[70_000]))))
        .isInstanceOf(InvalidRequestException.class);

    assertThat(index.stats()).isEqualTo(before);
    assertThat(index.get("ok")).isEmpty();
    assertThat(index.get("a").orElseThrow().code()).isEqualTo(code("000000000000"));
    index.add(
        "x".repeat(256),
        code("000000000000"),
        new byte[64 * 1024]); // the limits themselves are fine
    assertThat(index.size()).isEqualTo(2);
  }

  @Test
  void statsReportKernelMemoryAndPaths() {
    Random rnd = new Random(9);
    for (int i = 0; i < 10_000; i++) {
      index.add("e" + i, TestCodes.random(48, rnd), null);
    }
    index.search(TestCodes.random(48, rnd), 3);
    IndexStats stats = index.stats();
    assertThat(stats.size()).isEqualTo(10_000);
    assertThat(stats.bits()).isEqualTo(48);
    assertThat(stats.search().kernel()).isEqualTo(KernelProvider.kernel().name());
    assertThat(stats.search().linearSearches()).isEqualTo(1);
    assertThat(stats.memory().hotBytesPerEntryRatio()).isBetween(1.0, 1.15);
    assertThat(stats.durability().lastSeq())
        .isEqualTo(10_000)
        .isEqualTo(stats.durability().durableSeq());
  }

  @Test
  void aClosedIndexRefusesCalls() throws Exception {
    index.close();
    assertThatThrownBy(() -> index.search(code("000000000000"), 1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> index.add("a", code("000000000000"), null))
        .isInstanceOf(IllegalStateException.class);
  }
}
