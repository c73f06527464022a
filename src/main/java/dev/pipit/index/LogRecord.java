package dev.pipit.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One mutation in the write-ahead log. Body, big-endian (framing in {@link WriteAheadLog}):
 *
 * <pre>
 * body    := seq:u64 op:u8 idLength:u16 id:byte[idLength] [code payload]   -- code payload only for PUT
 * op      := 1 (PUT: add or upsert) | 2 (DELETE)
 * code    := word:u64 × ceil(bits/64)                                       -- packed as in {@link Code}
 * payload := length:i32 bytes:byte[length]                                  -- length -1: no payload
 * </pre>
 */
record LogRecord(long seq, byte op, String id, long[] code, byte[] payload) {

  static final byte PUT = 1;
  static final byte DELETE = 2;

  static LogRecord put(long seq, String id, long[] code, byte[] payload) {
    return new LogRecord(seq, PUT, id, code, payload);
  }

  static LogRecord delete(long seq, String id) {
    return new LogRecord(seq, DELETE, id, null, null);
  }

  int bodyLength() {
    int n = 8 + 1 + 2 + id.getBytes(StandardCharsets.UTF_8).length;
    if (op == PUT) {
      n += 8 * code.length + 4 + (payload == null ? 0 : payload.length);
    }
    return n;
  }

  void writeBody(ByteBuffer buf) {
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    buf.putLong(seq).put(op).putShort((short) idBytes.length).put(idBytes);
    if (op == PUT) {
      for (long word : code) {
        buf.putLong(word);
      }
      buf.putInt(payload == null ? -1 : payload.length);
      if (payload != null) {
        buf.put(payload);
      }
    }
  }

  /** Decodes a body whose checksum has been verified. */
  static LogRecord readBody(ByteBuffer buf, int words) {
    long seq = buf.getLong();
    byte op = buf.get();
    byte[] idBytes = new byte[buf.getShort() & 0xFFFF];
    buf.get(idBytes);
    String id = new String(idBytes, StandardCharsets.UTF_8);
    if (op == DELETE) {
      return delete(seq, id);
    }
    if (op != PUT) {
      throw new CorruptIndexException("log record " + seq + " has unknown op " + op);
    }
    long[] code = new long[words];
    for (int w = 0; w < words; w++) {
      code[w] = buf.getLong();
    }
    int length = buf.getInt();
    byte[] payload = null;
    if (length >= 0) {
      payload = new byte[length];
      buf.get(payload);
    }
    return put(seq, id, code, payload);
  }
}
