package dev.pipit.index;

import java.nio.charset.StandardCharsets;

/**
 * One generation of entries (the index's tables between two compactions), append-only, mutated by
 * the single writer or by recovery. Hot data (scanned by every search), off the heap in chunks
 * ({@link LongChunks}): the blocked codes (see {@link CodeLayout}) and one {@code int} per entry,
 * its death mark ({@link DeathMarks}, relative to the generation's base sequence). Cold data
 * (touched only for results and lookups), also off the heap: external ids and payloads ({@link
 * ColdStore}) and the id → ordinal map ({@link IdTable}). The heap does not grow with the gallery.
 *
 * <p>Storage grows by 1/8 so that allocated hot memory stays within 1.125 × what is used (plus one
 * block); past the first chunk only the last, partial chunk is ever copied. Compaction builds a new
 * generation; views of the old one stay valid until no search holds them.
 */
final class Generation {

  /** Most entries: ordinals are non-negative {@code int}s, rounded down to whole blocks. */
  static final int MAX_CAPACITY = Integer.MAX_VALUE & -CodeLayout.BLOCK;

  final int bits;
  final int words;
  final int chunkShift;
  final ColdStore cold;
  final IdTable ordinals;
  LongChunks codes;
  DeathMarks deaths;
  int count;
  int tombstones;
  long livePayloadBytes; // payload bytes of live entries: what the payload budget governs
  long deadPayloadBytes; // payload bytes of tombstoned entries, until compaction drops them

  /** An empty generation for writes after sequence {@code base}. */
  Generation(int bits, int capacity, long base) {
    this(bits, capacity, base, LongChunks.DEFAULT_SHIFT);
  }

  /** With chunks of {@code 2^chunkShift} entries (tests use small chunks to cross boundaries). */
  Generation(int bits, int capacity, long base, int chunkShift) {
    this.bits = bits;
    this.words = Code.wordsFor(bits);
    this.chunkShift = chunkShift;
    int cap = Math.max(CodeLayout.BLOCK, roundToBlock(capacity));
    this.codes = LongChunks.allocate(chunkShift, words, cap);
    this.deaths = DeathMarks.allocate(base, chunkShift, cap);
    this.cold = new ColdStore();
    this.ordinals = new IdTable(cold, capacity);
  }

  /**
   * Over loaded storage (a snapshot): {@code count} live entries, ids already in {@code ordinals}.
   */
  Generation(
      int bits,
      int chunkShift,
      LongChunks codes,
      DeathMarks deaths,
      ColdStore cold,
      IdTable ordinals,
      int count,
      long livePayloadBytes) {
    this.bits = bits;
    this.words = Code.wordsFor(bits);
    this.chunkShift = chunkShift;
    this.codes = codes;
    this.deaths = deaths;
    this.cold = cold;
    this.ordinals = ordinals;
    this.count = count;
    this.livePayloadBytes = livePayloadBytes;
  }

  /** Appends an entry (not yet published) and returns its ordinal. */
  int append(String id, long[] code, byte[] payload) {
    return append(id.getBytes(StandardCharsets.UTF_8), code, payload);
  }

  private int append(byte[] id, long[] code, byte[] payload) {
    if (count == deaths.capacity) {
      grow(count + 1);
    }
    int ordinal = count;
    codes.store(ordinal, code); // its death mark is zero: alive
    cold.append(id, payload);
    livePayloadBytes += payloadLength(payload);
    ordinals.put(id, ordinal); // an entry it replaces was killed by put first
    count++;
    return ordinal;
  }

  /**
   * Applies a put at {@code seq}: a present entry with {@code id} is tombstoned and the new one
   * appended (so it counts as the newest insertion). The one mutation rule that live writes and log
   * replay share.
   */
  void put(long seq, String id, long[] code, byte[] payload) {
    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
    int old = ordinals.find(utf8);
    if (old >= 0) {
      kill(old, seq);
    }
    append(utf8, code, payload);
  }

  /**
   * Applies a delete at {@code seq}: tombstones the entry with {@code id}.
   *
   * @return false (and nothing changed) if no entry has this id
   */
  boolean remove(long seq, String id) {
    int old = ordinals.remove(id.getBytes(StandardCharsets.UTF_8));
    if (old < 0) {
      return false;
    }
    kill(old, seq);
    return true;
  }

  /** Whether an entry with {@code id} is present. */
  boolean contains(String id) {
    return ordinals.find(id.getBytes(StandardCharsets.UTF_8)) >= 0;
  }

  /**
   * Whether a write at {@code seq} fits this generation; if not, the writer continues in {@link
   * #compacted} at a later base (only after 2^32 sequences without a compaction).
   */
  boolean takes(long seq) {
    return deaths.covers(seq);
  }

  /**
   * A new generation holding the live entries of this one in the same order, for writes after
   * {@code base} (no later than the next write's sequence, no earlier than the last applied one).
   */
  Generation compacted(long base) {
    int live = count - tombstones;
    Generation fresh = new Generation(bits, live + live / 16, base, chunkShift);
    for (int i = 0; i < count; i++) {
      if (deaths.isAlive(i)) {
        fresh.append(cold.idBytes(i), codes.load(i), cold.payload(i));
      }
    }
    return fresh;
  }

  /** Tombstones {@code ordinal} as of {@code seq}. */
  private void kill(int ordinal, long seq) {
    deaths.markDead(ordinal, seq);
    tombstones++;
    int bytes = cold.payloadLength(ordinal);
    livePayloadBytes -= bytes;
    deadPayloadBytes += bytes;
  }

  /** Payload bytes of the live entry with {@code id}, 0 if there is none. */
  int payloadBytesOf(String id) {
    int ordinal = ordinals.find(id.getBytes(StandardCharsets.UTF_8));
    return ordinal < 0 ? 0 : cold.payloadLength(ordinal);
  }

  static int payloadLength(byte[] payload) {
    return payload == null ? 0 : payload.length;
  }

  /** Makes room for {@code needed} entries. */
  void grow(int needed) {
    int cap = deaths.capacity;
    int target =
        roundToBlock(
            (int) Math.min(MAX_CAPACITY, Math.max(needed, cap + Math.max(cap >>> 3, 1024L))));
    if (target < needed) {
      throw new IllegalStateException("a generation holds at most " + MAX_CAPACITY + " entries");
    }
    // Readers of older views keep the old chunks; entries below count are copied, never changed.
    codes = codes.grownTo(target);
    deaths = deaths.grownTo(target);
  }

  /** A view of everything appended so far, as of {@code seq}. */
  View publish(long seq) {
    return new View(
        this, codes, deaths, count, seq, tombstones, livePayloadBytes, deadPayloadBytes);
  }

  /** Off-heap bytes of the cold side: records, their offsets and the id table. */
  long coldBytes() {
    return cold.bytes() + ordinals.bytes();
  }

  /** The id of {@code ordinal}. */
  String id(int ordinal) {
    return cold.id(ordinal);
  }

  /** The payload of {@code ordinal} (a fresh array), or null. */
  byte[] payload(int ordinal) {
    return cold.payload(ordinal);
  }

  /** Bytes of the hot storage (codes and death marks), as allocated. */
  long hotBytes() {
    return codes.bytes() + deaths.bytes();
  }

  private static int roundToBlock(int n) {
    return (n + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK;
  }
}
