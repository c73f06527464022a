package dev.pipit.index;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * An immutable, consistent state of the index as of write sequence {@link #seq}, published by the
 * writer through one volatile field. Searches work on a view and never see a torn state: the
 * storage is only appended to past {@link #count}, and a tombstone written after this view carries
 * a larger sequence.
 *
 * <p>An entry is live in this view when {@code ordinal < count} and its death sequence (the one hot
 * {@code long} per entry; {@link Long#MAX_VALUE} while alive) is greater than {@code seq}. It is
 * stored as {@code Long.MAX_VALUE - death}, so that zeroed memory means alive: fresh chunks and a
 * loaded snapshot need no filling.
 */
final class View {

  /** Coordinates (segment, byte offset): opaque access, as the death sequences are shared. */
  private static final VarHandle LONGS = ValueLayout.JAVA_LONG.varHandle();

  final Generation generation;
  final LongChunks codes;
  final LongChunks deaths;
  final int count;
  final long seq;
  final int tombstones;
  final long livePayloadBytes;
  final long deadPayloadBytes;

  View(
      Generation generation,
      LongChunks codes,
      LongChunks deaths,
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
    this.tombstones = tombstones;
    this.livePayloadBytes = livePayloadBytes;
    this.deadPayloadBytes = deadPayloadBytes;
  }

  boolean isLive(int ordinal) {
    return ordinal < count
        && Long.MAX_VALUE
                - (long) LONGS.getOpaque(deaths.chunkOf(ordinal), deaths.offset(ordinal, 0))
            > seq;
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

  static void setDeath(LongChunks deaths, int ordinal, long seq) {
    MemorySegment chunk = deaths.chunkOf(ordinal);
    LONGS.setOpaque(chunk, deaths.offset(ordinal, 0), Long.MAX_VALUE - seq);
  }
}
