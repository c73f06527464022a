package dev.pipit.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the in-memory state at open, like ZooKeeper's {@code FileTxnSnapLog.restore}: the newest
 * intact snapshot, then the log after it. Replay applies records through the same {@link
 * Generation#put}/{@link Generation#remove} rules as live writes, but is not the live write path.
 */
final class Recovery {

  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  /** The recovered state. */
  record State(
      Generation generation, long lastSeq, long tornBytes, long snapshotSeq, long replayed) {
    static State empty(int bits) {
      return new State(new Generation(bits, 1024, 0), 0, 0, 0, 0);
    }
  }

  private Recovery() {}

  static State recover(Path dir, IndexOptions options) throws IOException {
    deleteStrayTemporaries(dir);
    int bits = options.bits();
    String fingerprint = options.modelFingerprint();
    SnapshotFile.Loaded loaded = SnapshotFile.loadNewest(dir, bits, fingerprint);
    long snapshotSeq = loaded.seq();
    Generation[] generation = {
      loaded.generation() != null ? loaded.generation() : new Generation(bits, 1024, 0)
    };
    LogReplay.Result replay =
        LogReplay.replay(
            dir,
            bits,
            fingerprint,
            snapshotSeq,
            record -> generation[0] = apply(generation[0], record));
    long lastSeq = Math.max(snapshotSeq, replay.lastSeq());
    LOG.info(
        "index {}: {} entries from snapshot {}, {} log records replayed{}",
        dir,
        generation[0].count - replay.records(),
        snapshotSeq,
        replay.records(),
        replay.tornBytes() > 0
            ? ", torn log tail of " + replay.tornBytes() + " bytes truncated"
            : "");
    return new State(
        trimmed(generation[0], lastSeq),
        lastSeq,
        replay.tornBytes(),
        snapshotSeq,
        replay.records());
  }

  /**
   * Applies one record (replayed or live) and returns the generation that holds it: this one, or
   * its compaction on a later base when the record's sequence is past what this one's death marks
   * reach. A delete of an absent id means the files disagree.
   */
  static Generation apply(Generation current, LogRecord record) {
    Generation generation = current;
    if (!generation.takes(record.seq())) {
      generation = generation.compacted(record.seq() - 1);
      LOG.info("index generation rebased at sequence {}", record.seq() - 1);
    }
    if (record.op() == LogRecord.PUT) {
      generation.put(record.seq(), record.id(), record.code(), record.payload());
    } else if (!generation.remove(record.seq(), record.id())) {
      throw new CorruptIndexException(
          "log deletes id '" + record.id() + "' that is not present (record " + record.seq() + ")");
    }
    return generation;
  }

  /** Deletes the {@code .tmp} files of snapshot writers that crashed before their rename. */
  private static void deleteStrayTemporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path stray : files.filter(p -> p.toString().endsWith(".tmp")).toList()) {
        Files.delete(stray);
      }
    }
  }

  /** Compacts a loaded generation when tombstones make up more than a quarter of it. */
  private static Generation trimmed(Generation generation, long lastSeq) {
    if (generation.tombstones > generation.count / 4) {
      return generation.compacted(lastSeq);
    }
    return generation;
  }
}
