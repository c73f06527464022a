package dev.pipit.index;

/**
 * An immutable, consistent state of the index as of write sequence {@link #seq}, published by the
 * writer through one volatile field. Searches work on a view and never see a torn state: the
 * storage is only appended to past {@link #count}, and a tombstone written after this view carries
 * a larger sequence.
 *
 * <p>An entry is live in this view when {@code ordinal < count} and it has not died, or died after
 * {@code seq} ({@link DeathMarks}: the one hot {@code int} per entry beside its code).
 */
final class View {

  final Generation generation;
  final LongChunks codes;
  final DeathMarks deaths;
  final int count;
  final long seq;
  final int tombstones;
  final long livePayloadBytes;
  final long deadPayloadBytes;
  private final long horizon; // seq relative to the deaths' base

  View(
      Generation generation,
      LongChunks codes,
      DeathMarks deaths,
      int count,
      long seq,
      int tombstones,
      long livePayloadBytes,
      long deadPayloadBytes) {
    this.generation = generation;
    this.codes = codes;
    this.deaths = deaths;
    this.count = count;
    this.seq = seq;
    this.horizon = seq - deaths.base;
    this.tombstones = tombstones;
    this.livePayloadBytes = livePayloadBytes;
    this.deadPayloadBytes = deadPayloadBytes;
  }

  boolean isLive(int ordinal) {
    return ordinal < count && deaths.isAliveAt(ordinal, horizon);
  }

  /** The id of {@code ordinal} (below {@link #count}). */
  String id(int ordinal) {
    return generation.id(ordinal);
  }

  /** The payload of {@code ordinal} (a fresh array), or null. */
  byte[] payload(int ordinal) {
    return generation.payload(ordinal);
  }

  /** Live entries in this view. */
  int liveCount() {
    return count - tombstones;
  }
}
