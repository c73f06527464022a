package dev.pipit.index;

import java.time.Instant;

/**
 * What a durable index has on disk and how its opening went (an in-memory index reports zeros).
 *
 * @param opened when the index was opened
 * @param recoveryNanos how long opening took: snapshot load and log replay
 * @param recordsReplayed log records replayed at open
 * @param logSegments write-ahead log segments on disk
 * @param logBytes bytes of those segments
 * @param lastSnapshotBytes size of the newest snapshot file; 0 if none
 */
public record FileStats(
    Instant opened,
    long recoveryNanos,
    long recordsReplayed,
    int logSegments,
    long logBytes,
    long lastSnapshotBytes) {

  /** The log's segments on disk. */
  record Log(int segments, long bytes) {}
}
