package dev.pipit.index;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One generation of entries, append-only, mutated by the single writer. Hot data (scanned by every
 * search): the blocked codes ({@code long[]}, see {@link CodeLayout}) and one {@code long} per
 * entry, its death sequence. Cold data (touched only for results and lookups): external ids,
 * payloads and the id → ordinal map.
 *
 * <p>Arrays grow by 1/8 so that allocated hot memory stays within 1.125 × what is used (plus one
 * block). Compaction builds a new generation; views of the old one stay valid until no search holds
 * them.
 */
final class Gallery {

  final int bits;
  final int words;
  final ConcurrentHashMap<String, Integer> ordinals;
  long[] codes;
  long[] deaths;
  String[] ids;
  byte[][] payloads;
  int count;
  int tombstones;

  Gallery(int bits, int capacity) {
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
    ordinals.put(id, ordinal);
    count++;
    return ordinal;
  }

  /** Tombstones {@code ordinal} as of {@code seq}. */
  void kill(int ordinal, long seq) {
    View.setDeath(deaths, ordinal, seq);
    tombstones++;
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
    return new View(this, codes, deaths, ids, payloads, count, seq, tombstones);
  }

  /** Bytes of the hot arrays (codes and death sequences), as allocated. */
  long hotBytes() {
    return 8L * codes.length + 8L * deaths.length;
  }

  private static int roundToBlock(int n) {
    return (n + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK;
  }
}
