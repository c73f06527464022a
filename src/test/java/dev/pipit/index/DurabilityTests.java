package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-ahead log, snapshots and recovery: what is written comes back, damage is handled as
 * specified.
 */
class DurabilityTests {

  private static final IndexOptions OPTIONS =
      IndexOptions.of(64, "model-a").withFsync(FsyncPolicy.always());

  @TempDir Path dir;

  private static Code code(long bits) {
    return Code.of(64, bits);
  }

  private static List<Path> files(Path dir, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
    }
  }

  @Test
  void reopeningReplaysTheLogAndSnapshotsInOrder() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS, 4096)) {
      for (int i = 0; i < 300; i++) {
        index.add("e" + i, code(i), ("p" + i).getBytes(StandardCharsets.UTF_8));
      }
      assertThat(files(dir, "wal-").size()).isGreaterThan(1); // 4 KiB segments rolled
      index.snapshot();
      index.upsert("e0", code(7), null); // e0 now ties with e7 and comes after it
      index.delete("e1");
      for (int i = 300; i < 400; i++) {
        index.add("e" + i, code(i), null);
      }
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(399);
      assertThat(index.get("e1")).isEmpty();
      assertThat(index.get("e5").orElseThrow().payload())
          .isEqualTo("p5".getBytes(StandardCharsets.UTF_8));
      assertThat(index.get("e0").orElseThrow().payload()).isNull();
      assertThat(index.search(code(7), 2)).extracting(SearchHit::id).containsExactly("e7", "e0");
      assertThat(index.stats().durability().lastSeq()).isEqualTo(402);
      assertThat(index.stats().durability().tornBytesTruncated()).isZero();
      index.add("after-reopen", code(1), null);
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(400);
      assertThat(index.stats().durability().lastSeq()).isEqualTo(403);
    }
  }

  @Test
  void snapshotsRemoveCoveredSegmentsAndKeepTwo() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS, 2048)) {
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 100; i++) {
          index.upsert("e" + i, code(round * 1000L + i), null);
        }
        index.snapshot();
      }
      assertThat(files(dir, "snapshot-")).hasSize(2);
      assertThat(files(dir, "snapshot-").getFirst().getFileName().toString())
          .isEqualTo(String.format("snapshot-%020d.bin", 300));
      // Segments wholly before the older kept snapshot are gone; the rest still replay from there.
      long firstKept =
          Long.parseLong(files(dir, "wal-").getFirst().getFileName().toString().substring(4, 24));
      assertThat(firstKept).isEqualTo(301); // each snapshot rolled the log
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(100);
      assertThat(index.get("e42").orElseThrow().code()).isEqualTo(code(3042));
    }
  }

  @Test
  void aTornLogTailIsTruncatedAndReportedNotFatal() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      for (int i = 0; i < 10; i++) {
        index.add("e" + i, code(i), null);
      }
    }
    Path segment = files(dir, "wal-").getLast();
    long size = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(size - 5); // the last record loses its end, as in a crash mid-write
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(9);
      assertThat(index.get("e9")).isEmpty();
      assertThat(index.stats().durability().tornBytesTruncated()).isPositive();
      index.add("e9", code(9), null);
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(10);
      assertThat(index.stats().durability().tornBytesTruncated()).isZero();
    }
  }

  @Test
  void garbageAfterTheLastRecordIsATornTail() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      index.add("a", code(1), null);
    }
    Files.write(
        files(dir, "wal-").getLast(),
        new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 9, 9, 9},
        StandardOpenOption.APPEND);
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(1);
      assertThat(index.stats().durability().tornBytesTruncated()).isEqualTo(11);
    }
  }

  @Test
  void damageBeforeTheTailIsCorruption() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS, 1024)) {
      for (int i = 0; i < 100; i++) {
        index.add("e" + i, code(i), null);
      }
    }
    Path older = files(dir, "wal-").getFirst();
    flipByte(older, Files.size(older) - 3);
    assertThatThrownBy(() -> HammingIndex.open(dir, OPTIONS))
        .isInstanceOf(CorruptIndexException.class)
        .hasMessageContaining("older segment");
  }

  @Test
  void aDamagedSnapshotFallsBackToTheOlderOne() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      index.add("a", code(1), null);
      index.snapshot();
      index.add("b", code(2), null);
      index.snapshot();
    }
    Path newest = files(dir, "snapshot-").getLast();
    flipByte(newest, Files.size(newest) - 10);
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.get("a")).isPresent();
      assertThat(index.get("b")).isPresent(); // replayed from the log after the older snapshot
    }
  }

  @Test
  void anotherBitLengthOrModelIsRefusedClearly() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      index.add("a", code(1), null);
      index.snapshot();
    }
    assertThatThrownBy(() -> HammingIndex.open(dir, IndexOptions.of(128, "model-a")))
        .isInstanceOf(IndexMismatchException.class)
        .hasMessageContaining("64-bit codes")
        .hasMessageContaining("128-bit");
    assertThatThrownBy(() -> HammingIndex.open(dir, IndexOptions.of(64, "model-b")))
        .isInstanceOf(IndexMismatchException.class)
        .hasMessageContaining("'model-a'")
        .hasMessageContaining("'model-b'");
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) { // and the files are untouched
      assertThat(index.size()).isEqualTo(1);
    }
  }

  @Test
  void groupCommitAcknowledgesOnlyDurableWrites() throws Exception {
    IndexOptions group = OPTIONS.withFsync(FsyncPolicy.group(2));
    try (HammingIndex index = HammingIndex.open(dir, group)) {
      Thread[] writers = new Thread[4];
      for (int t = 0; t < writers.length; t++) {
        int base = t * 1000;
        writers[t] =
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; i < 50; i++) {
                        index.add("e" + (base + i), code(base + i), null);
                        IndexStats stats = index.stats();
                        assertThat(stats.durability().durableSeq())
                            .isGreaterThanOrEqualTo(1); // acknowledged ⇒ on disk
                      }
                    });
      }
      for (Thread w : writers) {
        w.join();
      }
      IndexStats stats = index.stats();
      assertThat(stats.durability().durableSeq()).isEqualTo(200);
      assertThat(stats.durability().fsyncs()).isLessThan(200); // writers shared fsyncs
    }
    try (HammingIndex index = HammingIndex.open(dir, group)) {
      assertThat(index.size()).isEqualTo(200);
    }
  }

  @Test
  void aLoneWriterIsSyncedWithoutWaitingOutTheGroupCommitWindow() throws Exception {
    IndexOptions slowWindow = OPTIONS.withFsync(FsyncPolicy.group(10_000));
    try (HammingIndex index = HammingIndex.open(dir, slowWindow)) {
      long start = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        index.add("e" + i, code(i), null);
      }
      // three writes one after another: each is synced at once, not after a 10 s window
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
      assertThat(index.stats().durability().durableSeq()).isEqualTo(3);
      assertThat(index.stats().durability().fsyncs()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThatThrownBy(() -> HammingIndex.open(dir, OPTIONS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use");
    }
  }

  @Test
  void strayTemporarySnapshotsAreIgnoredAndRemoved() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      index.add("a", code(1), null);
    }
    Files.write(dir.resolve("snapshot-00000000000000000009.bin.tmp"), new byte[] {1, 2, 3});
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(1);
    }
    assertThat(files(dir, "snapshot-")).isEmpty();
  }

  @Test
  void recordsRoundTripThroughTheirByteFormat() {
    Random rnd = new Random(1);
    long[] words = {rnd.nextLong(), rnd.nextLong()};
    LogRecord put = LogRecord.put(42, "ïd", words, new byte[] {1, 2});
    ByteBuffer buf = ByteBuffer.allocate(put.bodyLength());
    put.writeBody(buf);
    assertThat(buf.remaining()).isZero();
    LogRecord back = LogRecord.readBody(buf.flip(), 2);
    assertThat(back.seq()).isEqualTo(42);
    assertThat(back.id()).isEqualTo("ïd");
    assertThat(back.code()).containsExactly(words);
    assertThat(back.payload()).containsExactly(1, 2);
  }

  private static void flipByte(Path file, long position) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, position);
      one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
      ch.write(one, position);
    }
  }
}
