package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writers add, upsert and delete (enough to trigger background compaction) while readers search.
 * Every hit must be a code that was present: its payload names the version written, and that
 * version's code must lie at the reported distance; a result never holds an id twice and is
 * ordered. {@code get} returns only (code, payload) pairs that were written together.
 */
class ConcurrencyStressTests {

  private static final int BITS = 64;
  private static final int IDS_PER_WRITER = 3000;
  private static final int OPS_PER_WRITER = 25_000;

  /** Version {@code v} of entry {@code id} always has this code. */
  private static Code codeOf(int id, int version) {
    Random rnd = new Random(id * 100_003L + version);
    return TestCodes.noisy(Code.of(BITS, (id % 50) * 0x9E3779B97F4A7C15L), 0.08, rnd);
  }

  @ParameterizedTest
  @EnumSource(
      value = SearchStrategy.class,
      names = {"LINEAR", "MIH"})
  void searchesDuringWritesSeeOnlyCodesThatWerePresent(SearchStrategy strategy) throws Exception {
    int writers = 2;
    AtomicIntegerArray started =
        new AtomicIntegerArray(writers * IDS_PER_WRITER); // newest version begun
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong checkedHits = new AtomicLong();
    try (HammingIndex index =
        HammingIndex.inMemory(IndexOptions.of(BITS, "m").withStrategy(strategy).withThreads(2))) {
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int base = w * IDS_PER_WRITER;
        threads.add(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      Random rnd = new Random(base);
                      boolean[] present = new boolean[IDS_PER_WRITER];
                      for (int op = 0; op < OPS_PER_WRITER; op++) {
                        int local = rnd.nextInt(IDS_PER_WRITER);
                        int id = base + local;
                        if (present[local] && rnd.nextInt(3) == 0) {
                          index.delete("e" + id);
                          present[local] = false;
                        } else {
                          int version = started.incrementAndGet(id);
                          index.upsert(
                              "e" + id,
                              codeOf(id, version),
                              ByteBuffer.allocate(4).putInt(version).array());
                          present[local] = true;
                        }
                      }
                    }));
      }
      for (int r = 0; r < 2; r++) {
        int seed = r;
        threads.add(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      Random rnd = new Random(1000 + seed);
                      while (!done.get()) {
                        Code query = codeOf(rnd.nextInt(writers * IDS_PER_WRITER), 0);
                        List<Code> queries = List.of(query, codeOf(rnd.nextInt(100), 0));
                        List<List<SearchHit>> results =
                            switch (rnd.nextInt(3)) {
                              case 0 -> List.of(index.search(query, 1 + rnd.nextInt(60)));
                              case 1 -> index.searchBatch(queries, 10);
                              default -> List.of(index.searchRadius(query, 6));
                            };
                        int probe = rnd.nextInt(writers * IDS_PER_WRITER);
                        index
                            .get("e" + probe)
                            .ifPresent(
                                entry -> {
                                  int version = ByteBuffer.wrap(entry.payload()).getInt();
                                  if (version < 1
                                      || version > started.get(probe)
                                      || !entry.code().equals(codeOf(probe, version))) {
                                    failures.add(
                                        "get(e"
                                            + probe
                                            + ") returned v"
                                            + version
                                            + " with a code it never had");
                                  }
                                });
                        for (int q = 0; q < results.size(); q++) {
                          check(results.get(q), queries.get(q), started, failures);
                          checkedHits.addAndGet(results.get(q).size());
                        }
                      }
                    }));
      }
      threads.forEach(Thread::start);
      for (int w = 0; w < writers; w++) {
        threads.get(w).join();
      }
      done.set(true);
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failures).isEmpty();
      assertThat(checkedHits.get()).isPositive();
      // Enough tombstones were made for compaction to run in the background at least once.
      assertThat(index.stats().maintenance().compactions()).isPositive();
    }
  }

  private static void check(
      List<SearchHit> hits,
      Code query,
      AtomicIntegerArray started,
      ConcurrentLinkedQueue<String> failures) {
    Set<String> seen = new HashSet<>();
    int previous = -1;
    for (SearchHit hit : hits) {
      int id = Integer.parseInt(hit.id().substring(1));
      int version = ByteBuffer.wrap(hit.payload()).getInt();
      if (version < 1 || version > started.get(id)) {
        failures.add(hit.id() + " has version " + version + " that was never written");
      } else if (query.distance(codeOf(id, version)) != hit.distance()) {
        failures.add(
            hit.id()
                + " v"
                + version
                + " at distance "
                + hit.distance()
                + ", its code is at "
                + query.distance(codeOf(id, version)));
      }
      if (!seen.add(hit.id())) {
        failures.add(hit.id() + " appears twice in one result");
      }
      if (hit.distance() < previous) {
        failures.add("results out of order");
      }
      previous = hit.distance();
    }
  }
}
