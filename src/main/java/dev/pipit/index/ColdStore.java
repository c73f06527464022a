package dev.pipit.index;

import java.nio.charset.StandardCharsets;

/**
 * The cold side of a generation, off the heap: each entry's external id and payload as one record
 * in an append-only byte arena, found by ordinal through a 4-byte offset relative to the base of
 * its group of {@code 2^GROUP_SHIFT} ordinals (one 8-byte base per group). About 4 bytes per entry
 * besides the record itself, and no cap on the arena's size.
 *
 * <pre>
 * record := idLength:u16 id:byte[idLength] payloadLength:i32 payload   -- little-endian; -1: none
 * </pre>
 *
 * <p>One writer appends (in ordinal order); readers read records of ordinals the writer published.
 */
final class ColdStore {

  /** Ordinals per group sharing one 8-byte base offset. */
  static final int GROUP_SHIFT = 10;

  final SegmentedMemory records;
  final SegmentedMemory deltas;
  final SegmentedMemory bases;
  private long recordBytes;
  private long count;

  /**
   * Chunk sizes (log2 bytes): records 1 MiB, offsets 256 KiB, bases 16 KiB; small for small
   * indexes.
   */
  static final int RECORDS_SHIFT = 20;

  static final int DELTAS_SHIFT = 18;
  static final int BASES_SHIFT = 14;

  ColdStore() {
    this(
        new SegmentedMemory(RECORDS_SHIFT),
        new SegmentedMemory(DELTAS_SHIFT),
        new SegmentedMemory(BASES_SHIFT),
        0,
        0);
  }

  /** Over loaded parts (a snapshot): {@code count} entries whose records fill {@code bytes}. */
  ColdStore(
      SegmentedMemory records,
      SegmentedMemory deltas,
      SegmentedMemory bases,
      long count,
      long recordBytes) {
    this.records = records;
    this.deltas = deltas;
    this.bases = bases;
    this.count = count;
    this.recordBytes = recordBytes;
  }

  /** Appends the record of the next ordinal. */
  void append(byte[] id, byte[] payload) {
    long ordinal = count;
    long at = recordBytes;
    int payloadLength = payload == null ? -1 : payload.length;
    long end = at + 6 + id.length + Math.max(0, payloadLength);
    records.ensure(end);
    byte[] head = {(byte) id.length, (byte) (id.length >>> 8)};
    records.write(at, head, 0, 2);
    records.write(at + 2, id, 0, id.length);
    byte[] length = {
      (byte) payloadLength,
      (byte) (payloadLength >>> 8),
      (byte) (payloadLength >>> 16),
      (byte) (payloadLength >>> 24)
    };
    records.write(at + 2 + id.length, length, 0, 4);
    if (payload != null) {
      records.write(at + 6 + id.length, payload, 0, payload.length);
    }
    long group = ordinal >>> GROUP_SHIFT;
    if ((ordinal & ((1 << GROUP_SHIFT) - 1)) == 0) {
      bases.ensure(8 * group + 8);
      bases.setLong(8 * group, at);
    }
    deltas.ensure(4 * ordinal + 4);
    deltas.setInt(4 * ordinal, (int) (at - bases.getLong(8 * group)));
    recordBytes = end;
    count = ordinal + 1;
  }

  /** Arena offset of the record of {@code ordinal}. */
  long offset(long ordinal) {
    return bases.getLong(8 * (ordinal >>> GROUP_SHIFT))
        + (deltas.getInt(4 * ordinal) & 0xFFFFFFFFL);
  }

  /** Bytes of the record at {@code offset}. */
  long recordLength(long offset) {
    int idLength = idLength(offset);
    int payloadLength = payloadLength(offset, idLength);
    return 6L + idLength + Math.max(0, payloadLength);
  }

  private int idLength(long offset) {
    return (records.getByte(offset) & 0xFF) | (records.getByte(offset + 1) & 0xFF) << 8;
  }

  private int payloadLength(long offset, int idLength) {
    long at = offset + 2 + idLength;
    return (records.getByte(at) & 0xFF)
        | (records.getByte(at + 1) & 0xFF) << 8
        | (records.getByte(at + 2) & 0xFF) << 16
        | records.getByte(at + 3) << 24;
  }

  /** The id of {@code ordinal} as UTF-8. */
  byte[] idBytes(int ordinal) {
    long at = offset(ordinal);
    byte[] id = new byte[idLength(at)];
    records.read(at + 2, id, 0, id.length);
    return id;
  }

  String id(int ordinal) {
    return new String(idBytes(ordinal), StandardCharsets.UTF_8);
  }

  /** Whether the id of {@code ordinal} is {@code id} (UTF-8). */
  boolean idEquals(int ordinal, byte[] id) {
    long at = offset(ordinal);
    if (idLength(at) != id.length) {
      return false;
    }
    return records.matches(at + 2, id);
  }

  /** The payload of {@code ordinal} (a fresh array), or null. */
  byte[] payload(int ordinal) {
    long at = offset(ordinal);
    int idLength = idLength(at);
    int length = payloadLength(at, idLength);
    if (length < 0) {
      return null;
    }
    byte[] payload = new byte[length];
    records.read(at + 6 + idLength, payload, 0, length);
    return payload;
  }

  /** Payload bytes of {@code ordinal} (0 when it has none). */
  int payloadLength(int ordinal) {
    long at = offset(ordinal);
    return Math.max(0, payloadLength(at, idLength(at)));
  }

  long recordBytes() {
    return recordBytes;
  }

  /** Off-heap bytes allocated: the arena and the offsets. */
  long bytes() {
    return records.capacity() + deltas.capacity() + bases.capacity();
  }

  /** Bytes allocated for the offsets only (what an entry costs besides its record). */
  long offsetBytes() {
    return deltas.capacity() + bases.capacity();
  }
}
