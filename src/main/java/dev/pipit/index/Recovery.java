package dev.pipit.index;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * Rebuilds the in-memory state at open (newest intact snapshot, then the log after it, like
 * ZooKeeper's {@code FileTxnSnapLog.restore}) and holds the mutation rules that live writes and
 * replay share.
 */
final class Recovery {

  private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

  /** The recovered state. */
  record State(Gallery gallery, long lastSeq, long tornBytes, long snapshotSeq) {
    static State empty(int bits) {
      return new State(new Gallery(bits, 1024), 0, 0, 0);
    }
  }

  private Recovery() {}

  static State recover(Path dir, IndexOptions options) throws IOException {
    int bits = options.bits();
    String fingerprint = options.modelFingerprint();
    Gallery[] target = {new Gallery(bits, 1024)};
    long snapshotSeq =
        SnapshotFile.loadNewest(
            dir,
            bits,
            fingerprint,
            (id, code, payload) -> target[0].append(id, code, payload),
            () -> target[0] = new Gallery(bits, 1024));
    Gallery gallery = target[0];
    LogReplay.Result replay =
        LogReplay.replay(
            dir,
            bits,
            fingerprint,
            snapshotSeq,
            record -> {
              if (record.op() == LogRecord.PUT) {
                applyPut(gallery, record.seq(), record.id(), record.code(), record.payload());
              } else {
                applyDelete(gallery, record.seq(), record.id());
              }
            });
    long lastSeq = Math.max(snapshotSeq, replay.lastSeq());
    LOG.log(
        Level.INFO,
        "index {0}: {1} entries from snapshot {2}, {3} log records replayed{4}",
        dir,
        gallery.count - replay.records(),
        snapshotSeq,
        replay.records(),
        replay.tornBytes() > 0
            ? ", torn log tail of " + replay.tornBytes() + " bytes truncated"
            : "");
    return new State(trimmed(gallery), lastSeq, replay.tornBytes(), snapshotSeq);
  }

  /**
   * Adds or replaces {@code id} at {@code seq}: the old entry is tombstoned, the new one appended.
   */
  static void applyPut(Gallery gallery, long seq, String id, long[] code, byte[] payload) {
    Integer old = gallery.ordinals.get(id);
    if (old != null) {
      gallery.kill(old, seq);
    }
    gallery.append(id, code, payload);
  }

  /** Tombstones {@code id} at {@code seq}. */
  static void applyDelete(Gallery gallery, long seq, String id) {
    Integer old = gallery.ordinals.remove(id);
    if (old == null) {
      throw new CorruptIndexException(
          "log deletes id '" + id + "' that is not present (record " + seq + ")");
    }
    gallery.kill(old, seq);
  }

  /** A new generation holding the live entries of {@code gallery} in the same order. */
  static Gallery compacted(Gallery gallery) {
    int live = gallery.count - gallery.tombstones;
    Gallery fresh = new Gallery(gallery.bits, live + live / 16);
    for (int i = 0; i < gallery.count; i++) {
      if (gallery.deaths[i] == Long.MAX_VALUE) {
        fresh.append(
            gallery.ids[i], CodeLayout.load(gallery.codes, gallery.words, i), gallery.payloads[i]);
      }
    }
    return fresh;
  }

  /**
   * Drops the growth slack left by loading (exact size plus 1/16 room), or compacts if worthwhile.
   */
  private static Gallery trimmed(Gallery gallery) {
    if (gallery.tombstones > gallery.count / 4) {
      return compacted(gallery);
    }
    return gallery;
  }
}
