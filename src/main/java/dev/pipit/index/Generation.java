package dev.pipit.index;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One generation of entries (the index's tables between two compactions), append-only, mutated by
 * the single writer or by recovery. Hot data (scanned by every search): the blocked codes ({@code
 * long[]}, see {@link CodeLayout}) and one {@code long} per entry, its death sequence. Cold data
 * (touched only for results and lookups): external ids, payloads and the id → ordinal map.
 *
 * <p>Arrays grow by 1/8 so that allocated hot memory stays within 1.125 × what is used (plus one
 * block). Compaction builds a new generation; views of the old one stay valid until no search holds
 * them.
 */
final class Generation {

  final int bits;
  final int words;
  final ConcurrentHashMap<String, Integer> ordinals;
  long[] codes;
  long[] deaths;
  String[] ids;
  byte[][] payloads;
  int count;
  int tombstones;
  long livePayloadBytes; // payload bytes of live entries: what the payload budget governs
  long deadPayloadBytes; // payload bytes of tombstoned entries, until compaction drops them

  Generation(int bits, int capacity) {
    this.bits = bits;
    this.words = Code.wordsFor(bits);
    int cap = Math.max(CodeLayout.BLOCK, roundToBlock(capacity));
    this.codes = new long[Math.toIntExact(CodeLayout.longsFor(cap, words))];
    this.deaths = new long[cap];
    this.ids = new String[cap];
    this.payloads = new byte[cap][];
    this.ordinals = new ConcurrentHashMap<>(Math.max(16, capacity));
  }

  /** Appends an entry (not yet published) and returns its ordinal. */
  int append(String id, long[] code, byte[] payload) {
    if (count == deaths.length) {
      grow(count + 1);
    }
    int ordinal = count;
    CodeLayout.store(codes, words, ordinal, code);
    deaths[ordinal] = Long.MAX_VALUE;
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
    Generation fresh = new Generation(bits, live + live / 16);
    for (int i = 0; i < count; i++) {
      if (deaths[i] == Long.MAX_VALUE) {
        fresh.append(ids[i], CodeLayout.load(codes, words, i), payloads[i]);
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
    int cap = deaths.length;
    int target = roundToBlock(Math.max(needed, cap + Math.max(cap >>> 3, 1024)));
    // Readers of older views keep the old arrays; entries below count are copied, never changed.
    codes = Arrays.copyOf(codes, Math.toIntExact(CodeLayout.longsFor(target, words)));
    deaths = Arrays.copyOf(deaths, target);
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

  /** Bytes of the hot arrays (codes and death sequences), as allocated. */
  long hotBytes() {
    return 8L * codes.length + 8L * deaths.length;
  }

  private static int roundToBlock(int n) {
    return (n + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK;
  }
}
