package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write-ahead log under disk faults: failures are typed, never reported durable, recovered. */
class WriteAheadLogFaultTests {

  private static final Duration LIMIT = Duration.ofSeconds(30);

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

  private WriteAheadLog open(FsyncPolicy policy, long lastSeq) throws IOException {
    return WriteAheadLog.open(dir, 64, "model-a", policy, lastSeq, 1 << 20);
  }

  private static LogRecord record(long seq) {
    return LogRecord.put(seq, "e" + seq, new long[] {seq}, null);
  }

  /** The sequence numbers a fresh open would recover. */
  private List<Long> replayed() throws IOException {
    List<Long> seqs = new ArrayList<>();
    LogReplay.replay(dir, 64, "model-a", 0, r -> seqs.add(r.seq()));
    return seqs;
  }

  @Test
  void aFailedFsyncIsNeverReportedDurableAndTheNextWriteRewritesItElsewhere() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          WriteAheadLog log = open(FsyncPolicy.always(), 0);
          log.append(record(1));
          log.awaitDurable(1);
          disk.failForces(1, () -> new IOException("Input/output error"));
          log.append(record(2));
          assertThatThrownBy(() -> log.awaitDurable(2))
              .isInstanceOfSatisfying(
                  StorageFailureException.class,
                  e -> assertThat(e.reason()).isEqualTo("Input/output error"));
          assertThat(log.durableSeq()).isEqualTo(1);
          WriteAheadLog.Health failed = log.health();
          assertThat(failed.failed()).isTrue();
          assertThat(failed.failures()).isEqualTo(1);
          assertThat(failed.lastFailure()).isEqualTo("Input/output error");
          assertThat(failed.lastFailureTime()).isNotNull();

          // The disk works again: the next append rewrites record 2 into a fresh segment. Had the
          // log fsynced the old file again, the model (failed pages stay lost) would drop 2 and 3.
          log.append(record(3));
          assertThat(log.durableSeq()).isEqualTo(2);
          log.awaitDurable(3);
          assertThat(log.health().failed()).isFalse();
          assertThat(log.health().failures()).isEqualTo(1);
          disk.powerOffAfter(0);
          disk.powerLoss(null);
          assertThat(replayed()).containsExactly(1L, 2L, 3L);
        });
  }

  @Test
  void aFullDiskFailsCleanlyAndWritesWorkAgainOnceSpaceIsFreed() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          WriteAheadLog log = open(FsyncPolicy.always(), 0);
          log.append(record(1));
          log.commit();
          disk.fillAfter(7); // the next record gets half written
          log.append(record(2));
          assertThatThrownBy(log::commit)
              .isInstanceOf(StorageFailureException.class)
              .hasMessageContaining("No space left on device");
          // Still full: the retry fails, and the record is refused, not kept.
          assertThatThrownBy(() -> log.append(record(3)))
              .isInstanceOf(StorageFailureException.class);
          assertThat(log.health().failures()).isEqualTo(2);
          assertThat(log.durableSeq()).isEqualTo(1);
          disk.powerOffAfter(0);
          disk.powerLoss(null);
          assertThat(replayed()).containsExactly(1L); // no half record of 2 stays
        });
  }

  @Test
  void afterSpaceIsFreedTheSameLogGoesOnWithoutAReopen() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          WriteAheadLog log = open(FsyncPolicy.group(1), 0);
          log.append(record(1));
          log.awaitDurable(1);
          disk.fillAfter(5);
          log.append(record(2));
          assertThatThrownBy(() -> log.awaitDurable(2)).isInstanceOf(StorageFailureException.class);
          disk.freeSpace();
          log.append(record(3));
          log.awaitDurable(3);
          log.close();
          disk.powerLoss(null);
          assertThat(replayed()).containsExactly(1L, 2L, 3L);
        });
  }

  @Test
  void theFlusherSurvivesAnErrorThrownInsideIt() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          WriteAheadLog log = open(FsyncPolicy.group(1), 0);
          disk.failForces(1, () -> new OutOfMemoryError("injected"));
          log.append(record(1));
          assertThatThrownBy(() -> log.awaitDurable(1))
              .isInstanceOfSatisfying(
                  StorageFailureException.class, e -> assertThat(e.reason()).isEqualTo("injected"));
          assertThat(log.health().failed()).isTrue();
          log.append(record(2)); // rewrites record 1 itself
          assertThat(log.health().failed()).isFalse();
          // In group mode only the flusher makes record 2 durable: had it died, this would hang.
          log.awaitDurable(2);
          assertThat(log.durableSeq()).isEqualTo(2);
          log.close();
        });
  }

  @Test
  void noWriterWaitsForeverWhileEveryFsyncFails() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          WriteAheadLog log = open(FsyncPolicy.group(1), 0);
          disk.failForces(Integer.MAX_VALUE, () -> new IOException("Input/output error"));
          Object order = new Object();
          long[] next = {0};
          AtomicInteger failed = new AtomicInteger();
          ExecutorService writers = Executors.newFixedThreadPool(8);
          try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
              done.add(
                  writers.submit(
                      () -> {
                        for (int i = 0; i < 10; i++) {
                          try {
                            long seq;
                            synchronized (order) {
                              seq = next[0] + 1;
                              log.append(record(seq));
                              next[0] = seq;
                            }
                            log.awaitDurable(seq);
                          } catch (StorageFailureException e) {
                            failed.incrementAndGet();
                          }
                        }
                      }));
            }
            for (Future<?> f : done) {
              f.get();
            }
            assertThat(failed.get()).isEqualTo(80);
            assertThat(log.durableSeq()).isZero();
            disk.failForces(0, () -> new IOException("Input/output error"));
            long seq;
            synchronized (order) {
              seq = next[0] + 1;
              log.append(record(seq));
            }
            log.awaitDurable(seq);
            assertThat(log.durableSeq()).isEqualTo(seq);
          } finally {
            writers.shutdownNow();
            log.close();
          }
        });
  }

  @Test
  void replaySkipsATailAbandonedForTheNextSegmentButNotOtherDamage() throws IOException {
    disk.uninstall(); // real files
    WriteAheadLog log = open(FsyncPolicy.always(), 0);
    for (long seq = 1; seq <= 3; seq++) {
      log.append(record(seq));
    }
    log.roll(); // wal-1 holds 1..3, wal-4 is next
    log.append(record(4));
    log.append(record(5));
    log.close();
    Path first = WriteAheadLog.segmentPath(dir, 1);
    long clean = Files.size(first);
    // What a failed write of record 4 could leave behind when the truncation did not stick.
    Files.write(first, new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);
    assertThat(replayed()).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(Files.size(first)).isEqualTo(clean);

    Files.delete(WriteAheadLog.segmentPath(dir, 4));
    Files.write(first, new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);
    Files.writeString(WriteAheadLog.segmentPath(dir, 9), "no record 4 to 8 anywhere");
    assertThatThrownBy(this::replayed).isInstanceOf(CorruptIndexException.class);
  }
}
