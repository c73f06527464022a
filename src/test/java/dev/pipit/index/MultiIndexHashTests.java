package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Multi-index hashing through the public API: chosen automatically when it pays, abandoned for the
 * scan when it would not, kept exact while codes are appended, and (faiss's {@code
 * test_binary_hashindex} checks) radius results that equal the scan's and only grow with the
 * radius.
 */
class MultiIndexHashTests {

  private static HammingIndex build(int bits, List<Code> codes, SearchStrategy strategy) {
    HammingIndex index =
        HammingIndex.inMemory(IndexOptions.of(bits, "m").withStrategy(strategy).withThreads(1));
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      entries.add(new Entry("e" + i, codes.get(i), null));
    }
    index.upsertAll(entries);
    return index;
  }

  private static List<String> ids(List<SearchHit> hits) {
    return hits.stream().map(h -> h.id() + "@" + h.distance()).toList();
  }

  @Test
  void autoUsesMultiIndexHashingOnClusteredCodesWithIdenticalResults() throws Exception {
    Random rnd = new Random(1);
    List<Code> codes = TestCodes.gallery(32, 70_000, 300, 0.05, rnd);
    try (HammingIndex auto = build(32, codes, SearchStrategy.AUTO);
        HammingIndex linear = build(32, codes, SearchStrategy.LINEAR)) {
      Code warm = codes.get(0);
      auto.search(warm, 10); // schedules the background build
      for (int i = 0; i < 200 && auto.stats().memory().mihBytes() == 0; i++) {
        Thread.sleep(25);
      }
      assertThat(auto.stats().memory().mihBytes()).isPositive();
      for (int q = 0; q < 100; q++) {
        Code query = TestCodes.noisy(codes.get(rnd.nextInt(codes.size())), 0.05, rnd);
        assertThat(ids(auto.search(query, 10))).isEqualTo(ids(linear.search(query, 10)));
      }
      IndexStats stats = auto.stats();
      assertThat(stats.search().mihSearches()).isGreaterThanOrEqualTo(100);
      assertThat(stats.search().ndis())
          .isPositive()
          .isLessThan(100L * codes.size() / 10); // sub-linear work
    }
  }

  @Test
  void autoFallsBackToTheScanWhenProbingWouldNotPay() throws Exception {
    Random rnd = new Random(2);
    List<Code> codes = TestCodes.gallery(64, 70_000, 0, 0, rnd); // uniform: neighbours are far away
    try (HammingIndex auto = build(64, codes, SearchStrategy.AUTO);
        HammingIndex linear = build(64, codes, SearchStrategy.LINEAR)) {
      auto.search(codes.get(0), 10);
      for (int i = 0; i < 200 && auto.stats().memory().mihBytes() == 0; i++) {
        Thread.sleep(25);
      }
      for (int q = 0; q < 20; q++) {
        Code query = TestCodes.random(64, rnd);
        assertThat(ids(auto.search(query, 10))).isEqualTo(ids(linear.search(query, 10)));
      }
      assertThat(auto.stats().search().mihFallbacks()).isPositive();
    }
  }

  @Test
  void codesAppendedAfterTheBuildAreFoundAndDeletedOnesAreNot() throws Exception {
    Random rnd = new Random(3);
    List<Code> codes = TestCodes.gallery(48, 5_000, 40, 0.05, rnd);
    try (HammingIndex mih = build(48, codes, SearchStrategy.MIH);
        HammingIndex linear = build(48, codes, SearchStrategy.LINEAR)) {
      mih.search(codes.get(0), 5); // builds the tables now
      for (int i = 0; i < 500; i++) {
        Code code = TestCodes.noisy(codes.get(i), 0.02, rnd);
        mih.upsert("e" + i, code, null);
        linear.upsert("e" + i, code, null);
        mih.add("new" + i, codes.get(i), null);
        linear.add("new" + i, codes.get(i), null);
      }
      for (int i = 0; i < 300; i += 3) {
        mih.delete("e" + (1000 + i));
        linear.delete("e" + (1000 + i));
      }
      for (int q = 0; q < 100; q++) {
        Code query = TestCodes.noisy(codes.get(rnd.nextInt(codes.size())), 0.05, rnd);
        assertThat(ids(mih.search(query, 20))).isEqualTo(ids(linear.search(query, 20)));
        assertThat(ids(mih.searchRadius(query, 6))).isEqualTo(ids(linear.searchRadius(query, 6)));
      }
      assertThat(mih.stats().search().linearSearches()).isZero();
    }
  }

  @Test
  void radiusResultsEqualTheScanAndGrowWithTheRadius() throws Exception {
    Random rnd = new Random(4);
    List<Code> codes = TestCodes.gallery(64, 20_000, 100, 0.08, rnd);
    try (HammingIndex mih = build(64, codes, SearchStrategy.MIH);
        HammingIndex linear = build(64, codes, SearchStrategy.LINEAR)) {
      for (int q = 0; q < 10; q++) {
        Code query = TestCodes.noisy(codes.get(rnd.nextInt(codes.size())), 0.05, rnd);
        Set<String> previous = new HashSet<>();
        for (int radius = 0; radius <= 16; radius += 2) {
          List<SearchHit> hits = mih.searchRadius(query, radius);
          assertThat(ids(hits)).isEqualTo(ids(linear.searchRadius(query, radius)));
          Set<String> found = hits.stream().map(SearchHit::id).collect(Collectors.toSet());
          assertThat(found).containsAll(previous);
          previous = found;
        }
      }
    }
  }
}
