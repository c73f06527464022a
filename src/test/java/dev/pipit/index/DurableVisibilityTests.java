package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write is visible (search, get, size, forEach) only once it is durable, and a write the disk
 * refused is never visible, never recovered, and leaves the index able to take the next write.
 */
class DurableVisibilityTests {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private FaultyStorage disk;

  @BeforeEach
  void install() throws IOException {
    disk = FaultyStorage.install(dir);
  }

  @AfterEach
  void uninstall() {
    disk.uninstall();
  }

  private static IndexOptions options(FsyncPolicy policy) {
    return new IndexOptions(
        64, "model-a", policy, SearchStrategy.AUTO, 1, SnapshotPolicy.manual(), 1);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Everything a reader can observe: contents, size, and a search over the whole index. */
  private static String observed(HammingIndex index) {
    Map<String, String> contents = new HashMap<>();
    index.forEach(
        e ->
            contents.put(
                e.id(),
                e.code().words()[0] + ":" + (e.payload() == null ? "" : new String(e.payload()))));
    List<String> hits = new ArrayList<>();
    for (SearchHit hit : index.search(Code.of(64, 0), 100)) {
      hits.add(hit.id() + "@" + hit.distance());
    }
    return contents + " size=" + index.size() + " hits=" + hits;
  }

  private void crash(HammingIndex index) throws IOException {
    disk.powerOffAfter(0);
    try {
      index.close();
    } catch (RuntimeException e) {
      // nothing more reaches the disk
    }
    disk.powerLoss(null);
  }

  @Test
  void everyKindOfRefusedWriteIsNeverVisibleAndTheNextWriteWorks() {
    List<Consumer<HammingIndex>> kinds =
        List.of(
            index -> index.add("new", Code.of(64, 9), bytes("n")),
            index -> index.upsert("a", Code.of(64, 9), bytes("replaced")),
            index ->
                index.upsertAll(
                    List.of(
                        new Entry("a", Code.of(64, 9), null),
                        new Entry("new", Code.of(64, 10), bytes("n")),
                        new Entry("b", Code.of(64, 11), null))),
            index -> index.delete("b"));
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          for (int kind = 0; kind < kinds.size(); kind++) {
            for (boolean full : new boolean[] {true, false}) {
              Path sub = dir.resolve("k" + kind + full);
              FaultyStorage subDisk = FaultyStorage.install(sub);
              try {
                HammingIndex index = HammingIndex.open(sub, options(FsyncPolicy.group(1)));
                index.add("a", Code.of(64, 1), bytes("pa"));
                index.add("b", Code.of(64, 3), null);
                String before = observed(index);
                if (full) {
                  subDisk.fillAfter(12);
                } else {
                  subDisk.failForces(1, () -> new IOException("Input/output error"));
                }
                Consumer<HammingIndex> write = kinds.get(kind);
                assertThatThrownBy(() -> write.accept(index))
                    .isInstanceOf(StorageFailureException.class);
                assertThat(observed(index)).as("kind %d", kind).isEqualTo(before);
                assertThat(index.get("new")).isEmpty();
                assertThat(index.storageHealth().failed()).isTrue();
                assertThat(index.stats().durability().storageFailed()).isTrue();
                assertThat(index.stats().durability().lastStorageFailure())
                    .isEqualTo(full ? "No space left on device" : "Input/output error");

                subDisk.freeSpace();
                index.add("later", Code.of(64, 5), null);
                assertThat(index.storageHealth().failed()).isFalse();
                assertThat(index.get("later")).isPresent();
                String after = observed(index);
                assertThat(after).isNotEqualTo(before);
                subDisk.powerOffAfter(0);
                try {
                  index.close();
                } catch (RuntimeException e) {
                  // the power is off
                }
                subDisk.powerLoss(null);
                try (HammingIndex reopened =
                    HammingIndex.open(sub, options(FsyncPolicy.group(1)))) {
                  assertThat(observed(reopened)).as("kind %d after a crash", kind).isEqualTo(after);
                }
              } finally {
                subDisk.uninstall();
              }
            }
          }
        });
  }

  @Test
  void aWriteIsInvisibleWhileItsFsyncIsInFlightAndStaysSoWhenItFails() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          HammingIndex index = HammingIndex.open(dir, options(FsyncPolicy.group(1)));
          index.add("a", Code.of(64, 1), null);
          CountDownLatch inFsync = new CountDownLatch(1);
          CountDownLatch release = new CountDownLatch(1);
          disk.failForces(
              1,
              () -> {
                inFsync.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return new IOException("Input/output error");
              });
          ExecutorService writer = Executors.newSingleThreadExecutor();
          try {
            Future<?> add = writer.submit(() -> index.upsert("a", Code.of(64, 2), bytes("x")));
            assertThat(inFsync.await(10, TimeUnit.SECONDS)).isTrue();
            // The record is in the log's buffer and the file, its fsync not returned: unseen.
            assertThat(index.get("a").orElseThrow().code()).isEqualTo(Code.of(64, 1));
            assertThat(index.search(Code.of(64, 2), 1).getFirst().distance()).isEqualTo(2);
            release.countDown();
            assertThatThrownBy(add::get).hasCauseInstanceOf(StorageFailureException.class);
            assertThat(index.get("a").orElseThrow().code()).isEqualTo(Code.of(64, 1));
            assertThat(index.get("a").orElseThrow().payload()).isNull();
          } finally {
            writer.shutdownNow();
          }
          index.upsert("a", Code.of(64, 3), null);
          crash(index);
          try (HammingIndex reopened = HammingIndex.open(dir, options(FsyncPolicy.group(1)))) {
            assertThat(reopened.get("a").orElseThrow().code()).isEqualTo(Code.of(64, 3));
            assertThat(reopened.stats().durability().lastSeq()).isEqualTo(2);
          }
        });
  }

  @Test
  void concurrentWritersSharingAFailedFsyncAreAllRefusedAndNoneComesBack() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          HammingIndex index = HammingIndex.open(dir, options(FsyncPolicy.group(2)));
          ExecutorService writers = Executors.newFixedThreadPool(8);
          List<String> acknowledged = new ArrayList<>();
          List<String> refused = new ArrayList<>();
          try {
            // Background work (a snapshot at open, say) may take the injected failures before the
            // writers do; a round in which no writer met one is repeated with fresh ids.
            for (int round = 0; refused.isEmpty() && round < 5; round++) {
              disk.failForces(3, () -> new IOException("Input/output error"));
              List<String> ids = new ArrayList<>();
              List<Future<Boolean>> done = new ArrayList<>();
              for (int i = 0; i < 64; i++) {
                String id = "w" + round + "-" + i;
                long code = round * 64L + i;
                ids.add(id);
                done.add(
                    writers.submit(
                        () -> {
                          try {
                            index.add(id, Code.of(64, code), null);
                            return true;
                          } catch (StorageFailureException e) {
                            assertThat(index.get(id)).isEmpty(); // never visible
                            return false;
                          }
                        }));
              }
              for (int i = 0; i < done.size(); i++) {
                (done.get(i).get() ? acknowledged : refused).add(ids.get(i));
              }
            }
          } finally {
            writers.shutdownNow();
          }
          assertThat(refused).isNotEmpty();
          assertThat(index.size()).isEqualTo(acknowledged.size());
          for (String id : refused) {
            assertThat(index.get(id)).isEmpty();
          }
          index.add("last", Code.of(64, 99), null); // the disk works again
          crash(index);
          try (HammingIndex reopened = HammingIndex.open(dir, options(FsyncPolicy.group(2)))) {
            assertThat(reopened.size()).isEqualTo(acknowledged.size() + 1);
            for (String id : acknowledged) {
              assertThat(reopened.get(id)).as(id).isPresent();
            }
            for (String id : refused) {
              assertThat(reopened.get(id)).as(id).isEmpty();
            }
          }
        });
  }

  @Test
  void aProbeClearsTheFailedStateOnceTheDiskTakesWritesAgain() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try (HammingIndex index = HammingIndex.open(dir, options(FsyncPolicy.always()))) {
            disk.fillAfter(0);
            assertThatThrownBy(() -> index.add("x", Code.of(64, 1), null))
                .isInstanceOf(StorageFailureException.class);
            StorageHealth failed = index.probeStorage();
            assertThat(failed.failed()).isTrue();
            assertThat(failed.lastReason()).isEqualTo("No space left on device");
            assertThat(failed.failedSince()).isNotNull();
            disk.freeSpace();
            StorageHealth healed = index.probeStorage();
            assertThat(healed.failed()).isFalse();
            assertThat(healed.failures()).isEqualTo(1);
            index.add("x", Code.of(64, 1), null);
            assertThat(index.size()).isEqualTo(1);
          }
        });
  }
}
