package dev.pipit.index;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

/**
 * The id → ordinal map of a generation, off the heap: open addressing with linear probing over
 * {@code int} slots holding {@code ordinal + 1} (0 empty, -1 deleted), placed by a 64-bit hash of
 * the id's UTF-8 bytes and confirmed against the id in the {@link ColdStore}. Any capacity (the
 * hash is reduced by a multiply, not a mask), grown to 5/8 full once 4/5 full: 5 to 6.4 bytes per
 * entry.
 *
 * <p>One writer (the generation's); readers look up without locks. Inside one slot array a slot
 * only goes empty → ordinal, ordinal → ordinal (an upsert) or ordinal → deleted, so a probe never
 * skips a present id; a rehash publishes a new array, and a reader that raced it looks again.
 */
final class IdTable {

  private static final VarHandle SLOT = ValueLayout.JAVA_INT.varHandle();
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int EMPTY = 0;
  private static final int DELETED = -1;

  private final ColdStore cold;
  private volatile MemorySegment slots;
  private long used; // slots not empty (live or deleted); writer only
  private long live;

  IdTable(ColdStore cold, long expected) {
    this.cold = cold;
    this.slots = allocate(Math.max(16, expected + expected / 2));
  }

  private IdTable(ColdStore cold, MemorySegment slots, long live) {
    this.cold = cold;
    this.slots = slots;
    this.used = live;
    this.live = live;
  }

  /**
   * A table over {@code live} entries whose slots are {@code saved} itself (a snapshot's section,
   * mapped copy-on-write: a put writes a private copy of the page it touches).
   */
  static IdTable inPlace(ColdStore cold, MemorySegment saved, long live) {
    return new IdTable(cold, saved, live);
  }

  /** A table over {@code live} entries whose slots are a copy of {@code saved}. */
  static IdTable loaded(ColdStore cold, MemorySegment saved, long live) {
    MemorySegment slots = allocate(Math.max(16, saved.byteSize() / 4));
    MemorySegment.copy(saved, 0, slots, 0, saved.byteSize());
    return new IdTable(cold, slots, live);
  }

  /**
   * Slots for a table of the {@code count} distinct ids {@code idOf(0..count-1)} (what a snapshot
   * saves), 2/3 full.
   */
  static MemorySegment slotsFor(long count, LongFunction<byte[]> idOf) {
    MemorySegment slots = allocate(Math.max(16, count + count / 2));
    for (long i = 0; i < count; i++) {
      place(slots, hash(idOf.apply(i)), (int) i);
    }
    return slots;
  }

  private static MemorySegment allocate(long capacity) {
    return Arena.ofAuto().allocate(4 * capacity, 64);
  }

  /** A 64-bit hash of {@code id}, 8 bytes at a time, with a murmur3-style finalizer. */
  static long hash(byte[] id) {
    long h = 0x9E3779B97F4A7C15L ^ id.length;
    int i = 0;
    for (; i + 8 <= id.length; i += 8) {
      h = Long.rotateLeft(h ^ ((long) LONG_LE.get(id, i) * 0xC2B2AE3D27D4EB4FL), 31);
      h *= 0x9E3779B97F4A7C15L;
    }
    long tail = 0;
    for (int shift = 0; i < id.length; i++, shift += 8) {
      tail |= (id[i] & 0xFFL) << shift;
    }
    h ^= tail * 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }

  /** The ordinal of {@code id}, or null (as a map's {@code get}). */
  Integer get(String id) {
    int ordinal = find(id.getBytes(StandardCharsets.UTF_8));
    return ordinal < 0 ? null : ordinal;
  }

  /** The ordinal of {@code id} (UTF-8), or -1. */
  int find(byte[] id) {
    long hash = hash(id);
    while (true) {
      MemorySegment s = slots;
      long slot = lookup(s, id, hash);
      if (s == slots) {
        return slot < 0 ? -1 : (int) SLOT.getAcquire(s, 4 * slot) - 1;
      }
    }
  }

  /** The slot holding {@code id} in {@code s}, or -1. */
  private long lookup(MemorySegment s, byte[] id, long hash) {
    long capacity = s.byteSize() / 4;
    for (long i = Math.unsignedMultiplyHigh(hash, capacity); ; i = i + 1 == capacity ? 0 : i + 1) {
      int v = (int) SLOT.getAcquire(s, 4 * i);
      if (v == EMPTY) {
        return -1;
      }
      if (v != DELETED && cold.idEquals(v - 1, id)) {
        return i;
      }
    }
  }

  /**
   * Maps {@code id} to {@code ordinal} (its record already in the cold store); returns the ordinal
   * it replaced, or -1.
   */
  int put(byte[] id, int ordinal) {
    long hash = hash(id);
    MemorySegment s = slots;
    long slot = lookup(s, id, hash);
    if (slot >= 0) {
      int old = (int) SLOT.getAcquire(s, 4 * slot) - 1;
      SLOT.setRelease(s, 4 * slot, ordinal + 1);
      return old;
    }
    long capacity = s.byteSize() / 4;
    if (5 * (used + 1) > 4 * capacity) {
      s = rehash(Math.max(16, (live + 1) * 8 / 5));
      capacity = s.byteSize() / 4;
    }
    for (long i = Math.unsignedMultiplyHigh(hash, capacity); ; i = i + 1 == capacity ? 0 : i + 1) {
      int v = (int) SLOT.getAcquire(s, 4 * i);
      if (v == EMPTY || v == DELETED) {
        used += v == EMPTY ? 1 : 0;
        live++;
        SLOT.setRelease(s, 4 * i, ordinal + 1);
        return -1;
      }
    }
  }

  /** Removes {@code id}; returns its ordinal, or -1 when absent. */
  int remove(byte[] id) {
    MemorySegment s = slots;
    long slot = lookup(s, id, hash(id));
    if (slot < 0) {
      return -1;
    }
    int old = (int) SLOT.getAcquire(s, 4 * slot) - 1;
    SLOT.setRelease(s, 4 * slot, DELETED);
    live--;
    return old;
  }

  /**
   * Adds {@code ordinal} whose id is known to be absent (loading a snapshot): no comparison of ids.
   */
  void putAbsent(byte[] id, int ordinal) {
    MemorySegment s = slots;
    long capacity = s.byteSize() / 4;
    if (5 * (used + 1) > 4 * capacity) {
      s = rehash(Math.max(16, (live + 1) * 8 / 5));
    }
    place(s, hash(id), ordinal);
    used++;
    live++;
  }

  private static void place(MemorySegment s, long hash, int ordinal) {
    long capacity = s.byteSize() / 4;
    for (long i = Math.unsignedMultiplyHigh(hash, capacity); ; i = i + 1 == capacity ? 0 : i + 1) {
      if ((int) SLOT.get(s, 4 * i) == EMPTY) {
        SLOT.setRelease(s, 4 * i, ordinal + 1);
        return;
      }
    }
  }

  private MemorySegment rehash(long capacity) {
    MemorySegment old = slots;
    MemorySegment fresh = allocate(capacity);
    long oldCapacity = old.byteSize() / 4;
    for (long i = 0; i < oldCapacity; i++) {
      int v = (int) SLOT.get(old, 4 * i);
      if (v > 0) {
        place(fresh, hash(cold.idBytes(v - 1)), v - 1);
      }
    }
    slots = fresh;
    used = live;
    return fresh;
  }

  /** Off-heap bytes of the slots. */
  long bytes() {
    return slots.byteSize();
  }
}
