package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.ByteBuffer;
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
import java.util.zip.CRC32C;
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

  /** The ids a fresh open would recover, in log order. */
  private List<String> replayedIds() throws IOException {
    List<String> ids = new ArrayList<>();
    LogReplay.replay(dir, 64, "model-a", 0, r -> ids.add(r.id()));
    return ids;
  }

  /** The sequence numbers a fresh open would recover. */
  private List<Long> replayed() throws IOException {
    List<Long> seqs = new ArrayList<>();
    LogReplay.replay(dir, 64, "model-a", 0, r -> seqs.add(r.seq()));
    return seqs;
  }

  @Test
  void aFailedFsyncIsNeverReportedDurableAndItsRecordIsDroppedForGood() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          WriteAheadLog log = open(FsyncPolicy.always(), 0);
          assertThat(log.awaitDurable(1, log.append(record(1)))).isTrue();
          disk.failForces(1, () -> new IOException("Input/output error"));
          long epoch = log.append(LogRecord.put(2, "refused", new long[] {2}, null));
          assertThat(log.awaitDurable(2, epoch)).isFalse();
          assertThat(log.failureException().reason()).isEqualTo("Input/output error");
          assertThat(log.durableSeq()).isEqualTo(1);
          assertThat(log.appendedSeq()).isEqualTo(1); // dropped: number 2 is handed out again
          StorageHealth failed = log.health();
          assertThat(failed.failed()).isTrue();
          assertThat(failed.failures()).isEqualTo(1);
          assertThat(failed.lastReason()).isEqualTo("Input/output error");
          assertThat(failed.lastFailureTime()).isNotNull();
          assertThat(failed.failedSince()).isNotNull();

          // The disk works again: the next record 2 goes into a fresh segment, the refused one
          // never anywhere.
          long next = log.append(record(2));
          assertThat(next).isGreaterThan(epoch);
          assertThat(log.awaitDurable(2, next)).isTrue();
          assertThat(log.health().failed()).isFalse();
          assertThat(log.health().failedSince()).isNull();
          assertThat(log.health().failures()).isEqualTo(1);
          disk.powerOffAfter(0);
          disk.powerLoss(null);
          assertThat(replayedIds()).containsExactly("e1", "e2");
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
          assertThatThrownBy(() -> log.append(record(2)))
              .isInstanceOf(StorageFailureException.class);
          assertThat(log.probe()).isFalse();
          assertThat(log.health().failures()).isEqualTo(2);
          assertThat(log.durableSeq()).isEqualTo(1);
          disk.powerOffAfter(0);
          disk.powerLoss(null);
          assertThat(replayed()).containsExactly(1L); // no half record of 2 stays
        });
  }

  @Test
  void aProbeTellsWhenTheDiskTakesWritesAgain() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          WriteAheadLog log = open(FsyncPolicy.always(), 0);
          assertThat(log.probe()).isTrue(); // healthy: nothing to do
          disk.fillAfter(0);
          log.append(record(1));
          assertThatThrownBy(log::commit).isInstanceOf(StorageFailureException.class);
          assertThat(log.probe()).isFalse();
          assertThat(log.health().failed()).isTrue();
          disk.fillAfter(WriteAheadLog.PROBE_BYTES + 4096);
          assertThat(log.probe()).isTrue();
          assertThat(log.health().failed()).isFalse();
          assertThat(log.health().failures()).isEqualTo(1);
          assertThat(Files.exists(dir.resolve("probe.tmp"))).isFalse();
          disk.freeSpace();
          assertThat(log.awaitDurable(1, log.append(record(1)))).isTrue();
          log.close();
          disk.powerLoss(null);
          assertThat(replayed()).containsExactly(1L);
        });
  }

  @Test
  void afterSpaceIsFreedTheSameLogGoesOnWithoutAReopen() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          WriteAheadLog log = open(FsyncPolicy.group(1), 0);
          assertThat(log.awaitDurable(1, log.append(record(1)))).isTrue();
          disk.fillAfter(5);
          assertThat(log.awaitDurable(2, log.append(record(2)))).isFalse();
          disk.freeSpace();
          assertThat(log.awaitDurable(2, log.append(record(2)))).isTrue();
          assertThat(log.awaitDurable(3, log.append(record(3)))).isTrue();
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
          assertThat(log.awaitDurable(1, log.append(record(1)))).isFalse();
          assertThat(log.failureException().reason()).isEqualTo("injected");
          assertThat(log.health().failed()).isTrue();
          long epoch = log.append(record(1)); // the retry
          assertThat(log.health().failed()).isFalse();
          // In group mode only the flusher makes record 1 durable: had it died, this would hang.
          assertThat(log.awaitDurable(1, epoch)).isTrue();
          assertThat(log.durableSeq()).isEqualTo(1);
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
          AtomicInteger failed = new AtomicInteger();
          ExecutorService writers = Executors.newFixedThreadPool(8);
          try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
              done.add(
                  writers.submit(
                      () -> {
                        for (int i = 0; i < 10; i++) {
                          long seq;
                          long epoch;
                          try {
                            synchronized (order) {
                              seq = log.appendedSeq() + 1;
                              epoch = log.append(record(seq));
                            }
                          } catch (StorageFailureException e) {
                            failed.incrementAndGet(); // refused at once: the retry failed
                            continue;
                          }
                          if (!log.awaitDurable(seq, epoch)) {
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
            long epoch = log.append(record(1));
            assertThat(log.awaitDurable(1, epoch)).isTrue();
            assertThat(log.durableSeq()).isEqualTo(1);
          } finally {
            writers.shutdownNow();
            log.close();
          }
        });
  }

  @Test
  void replayNeverReadsRecordsAnOlderSegmentHoldsPastTheNextOnesStart() throws IOException {
    disk.uninstall(); // real files
    WriteAheadLog log = open(FsyncPolicy.always(), 0);
    log.append(record(1));
    log.append(record(2));
    log.roll(); // wal-1 holds 1..2, wal-3 is next
    log.append(LogRecord.put(3, "kept", new long[] {3}, null));
    log.close();
    Path first = WriteAheadLog.segmentPath(dir, 1);
    long clean = Files.size(first);
    // An intact record 3 the log dropped after a failure, left in the old tail when the
    // truncation did not stick: the next segment's record 3 wins.
    LogRecord dropped = LogRecord.put(3, "dropped", new long[] {3}, null);
    ByteBuffer frame = ByteBuffer.allocate(8 + dropped.bodyLength());
    frame.position(8);
    dropped.writeBody(frame);
    CRC32C crc = new CRC32C();
    crc.update(frame.array(), 8, dropped.bodyLength());
    frame.putInt(0, dropped.bodyLength()).putInt(4, (int) crc.getValue());
    Files.write(first, frame.array(), StandardOpenOption.APPEND);
    assertThat(replayedIds()).containsExactly("e1", "e2", "kept");
    assertThat(Files.size(first)).isEqualTo(clean);

    // Without a next segment covering it, a damaged older segment is corruption.
    Files.delete(WriteAheadLog.segmentPath(dir, 3));
    Files.write(first, new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);
    Files.writeString(WriteAheadLog.segmentPath(dir, 9), "no record 3 to 8 anywhere");
    assertThatThrownBy(this::replayed).isInstanceOf(CorruptIndexException.class);
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
