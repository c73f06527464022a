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
      return new State(new Generation(bits, 1024), 0, 0, 0, 0);
    }
  }

  private Recovery() {}

  static State recover(Path dir, IndexOptions options) throws IOException {
    deleteStrayTemporaries(dir);
    int bits = options.bits();
    String fingerprint = options.modelFingerprint();
    SnapshotFile.Loaded loaded = SnapshotFile.loadNewest(dir, bits, fingerprint);
    long snapshotSeq = loaded.seq();
    Generation generation =
        loaded.generation() != null ? loaded.generation() : new Generation(bits, 1024);
    LogReplay.Result replay =
        LogReplay.replay(dir, bits, fingerprint, snapshotSeq, record -> apply(generation, record));
    long lastSeq = Math.max(snapshotSeq, replay.lastSeq());
    LOG.info(
        "index {}: {} entries from snapshot {}, {} log records replayed{}",
        dir,
        generation.count - replay.records(),
        snapshotSeq,
        replay.records(),
        replay.tornBytes() > 0
            ? ", torn log tail of " + replay.tornBytes() + " bytes truncated"
            : "");
    return new State(
        trimmed(generation), lastSeq, replay.tornBytes(), snapshotSeq, replay.records());
  }

  /** Applies one replayed record; a delete of an absent id means the files disagree. */
  static void apply(Generation generation, LogRecord record) {
    if (record.op() == LogRecord.PUT) {
      generation.put(record.seq(), record.id(), record.code(), record.payload());
    } else if (!generation.remove(record.seq(), record.id())) {
      throw new CorruptIndexException(
          "log deletes id '" + record.id() + "' that is not present (record " + record.seq() + ")");
    }
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
  private static Generation trimmed(Generation generation) {
    if (generation.tombstones > generation.count / 4) {
      return generation.compacted();
    }
    return generation;
  }
}
