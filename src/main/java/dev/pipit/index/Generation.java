package dev.pipit.index;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One generation of entries (the index's tables between two compactions), append-only, mutated by
 * the single writer or by recovery. Hot data (scanned by every search), off the heap in chunks
 * ({@link LongChunks}): the blocked codes (see {@link CodeLayout}) and one {@code long} per entry,
 * its death sequence. Cold data (touched only for results and lookups): external ids, payloads and
 * the id → ordinal map.
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
  final ConcurrentHashMap<String, Integer> ordinals;
  LongChunks codes;
  LongChunks deaths;
  String[] ids;
  byte[][] payloads;
  int count;
  int tombstones;
  long livePayloadBytes; // payload bytes of live entries: what the payload budget governs
  long deadPayloadBytes; // payload bytes of tombstoned entries, until compaction drops them

  Generation(int bits, int capacity) {
    this(bits, capacity, LongChunks.DEFAULT_SHIFT);
  }

  /** With chunks of {@code 2^chunkShift} entries (tests use small chunks to cross boundaries). */
  Generation(int bits, int capacity, int chunkShift) {
    this.bits = bits;
    this.words = Code.wordsFor(bits);
    this.chunkShift = chunkShift;
    int cap = Math.max(CodeLayout.BLOCK, roundToBlock(capacity));
    this.codes = LongChunks.allocate(chunkShift, words, cap);
    this.deaths = LongChunks.allocate(chunkShift, 1, cap);
    this.ids = new String[cap];
    this.payloads = new byte[cap][];
    this.ordinals = new ConcurrentHashMap<>(Math.max(16, capacity));
  }

  /** Appends an entry (not yet published) and returns its ordinal. */
  int append(String id, long[] code, byte[] payload) {
    if (count == deaths.capacity) {
      grow(count + 1);
    }
    int ordinal = count;
    codes.store(ordinal, code);
    View.setDeath(deaths, ordinal, Long.MAX_VALUE);
    ids[ordinal] = id;
    payloads[ordinal] = payload;
    livePayloadBytes += payloadLength(payload);
    ordinals.put(id, ordinal);
    count++;
    return ordinal;
  }

  /**
   * Applies a put at {@code seq}: a present entry with {@code id} is tombstoned and the new one
   * appended (so it counts as the newest insertion). The one mutation rule that live writes and log
   * replay share.
   */
  void put(long seq, String id, long[] code, byte[] payload) {
    Integer old = ordinals.get(id);
    if (old != null) {
      kill(old, seq);
    }
    append(id, code, payload);
  }

  /**
   * Applies a delete at {@code seq}: tombstones the entry with {@code id}.
   *
   * @return false (and nothing changed) if no entry has this id
   */
  boolean remove(long seq, String id) {
    Integer old = ordinals.remove(id);
    if (old == null) {
      return false;
    }
    kill(old, seq);
    return true;
  }

  /** Whether an entry with {@code id} is present. */
  boolean contains(String id) {
    return ordinals.containsKey(id);
  }

  /** A new generation holding the live entries of this one in the same order. */
  Generation compacted() {
    int live = count - tombstones;
    Generation fresh = new Generation(bits, live + live / 16, chunkShift);
    for (int i = 0; i < count; i++) {
      if (deaths.get(i, 0) == Long.MAX_VALUE) {
        fresh.append(ids[i], codes.load(i), payloads[i]);
      }
    }
    return fresh;
  }

  /** Tombstones {@code ordinal} as of {@code seq}. */
  private void kill(int ordinal, long seq) {
    View.setDeath(deaths, ordinal, seq);
    tombstones++;
    int bytes = payloadLength(payloads[ordinal]);
    livePayloadBytes -= bytes;
    deadPayloadBytes += bytes;
  }

  /** Payload bytes of the live entry with {@code id}, 0 if there is none. */
  int payloadBytesOf(String id) {
    Integer ordinal = ordinals.get(id);
    return ordinal == null ? 0 : payloadLength(payloads[ordinal]);
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
    ids = Arrays.copyOf(ids, target);
    payloads = Arrays.copyOf(payloads, target);
  }

  /** A view of everything appended so far, as of {@code seq}. */
  View publish(long seq) {
    return new View(
        this,
        codes,
        deaths,
        ids,
        payloads,
        count,
        seq,
        tombstones,
        livePayloadBytes,
        deadPayloadBytes);
  }

  /** Bytes of the hot storage (codes and death sequences), as allocated. */
  long hotBytes() {
    return codes.bytes() + deaths.bytes();
  }

  private static int roundToBlock(int n) {
    return (n + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK;
  }
}
