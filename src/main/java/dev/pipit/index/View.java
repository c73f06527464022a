package dev.pipit.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An immutable, consistent state of the index as of write sequence {@link #seq}, published by the
 * writer through one volatile field. Searches work on a view and never see a torn state: the arrays
 * are only appended to past {@link #count}, and a tombstone written after this view carries a
 * larger sequence.
 *
 * <p>An entry is live in this view when {@code ordinal < count} and its death sequence (the one hot
 * {@code long} per entry; {@link Long#MAX_VALUE} while alive) is greater than {@code seq}.
 */
final class View {

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  final Generation generation;
  final long[] codes;
  final long[] deaths;
  final String[] ids;
  final byte[][] payloads;
  final int count;
  final long seq;
  final int tombstones;
  final long livePayloadBytes;
  final long deadPayloadBytes;

  View(
      Generation generation,
      long[] codes,
      long[] deaths,
      String[] ids,
      byte[][] payloads,
      int count,
      long seq,
      int tombstones,
      long livePayloadBytes,
      long deadPayloadBytes) {
    this.generation = generation;
    this.codes = codes;
    this.deaths = deaths;
    this.ids = ids;
    this.payloads = payloads;
    this.count = count;
    this.seq = seq;
    this.tombstones = tombstones;
    this.livePayloadBytes = livePayloadBytes;
    this.deadPayloadBytes = deadPayloadBytes;
  }

  boolean isLive(int ordinal) {
    return ordinal < count && (long) LONGS.getOpaque(deaths, ordinal) > seq;
  }

  /** Live entries in this view. */
  int liveCount() {
    return count - tombstones;
  }

  static void setDeath(long[] deaths, int ordinal, long seq) {
    LONGS.setOpaque(deaths, ordinal, seq);
  }
}
