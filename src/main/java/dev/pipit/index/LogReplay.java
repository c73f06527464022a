package dev.pipit.index;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the write-ahead log back at open: every record after the snapshot's sequence is handed to
 * the caller in order. A record cut short or failing its checksum at the end of the newest segment
 * is a torn tail from a crash: the segment is truncated there and the loss reported (never fatal).
 * The same damage in an older segment is a tail the log abandoned after a failed write or fsync
 * (see {@link WriteAheadLog}) when the next segment starts at or before the damaged record: it is
 * truncated the same way. So is an intact tail of an older segment from the next segment's first
 * sequence number on: records the log dropped after a failure (their writers were told so), which
 * must never be applied. Any other damage in an older segment, or a gap in the sequence numbers, is
 * corruption.
 */
final class LogReplay {

  private static final Logger LOG = LoggerFactory.getLogger(LogReplay.class);

  /** What replay found: the last sequence number, and the bytes cut off a torn tail (0 if none). */
  record Result(long lastSeq, long records, long tornBytes) {}

  private LogReplay() {}

  static Result replay(
      Path dir, int bits, String fingerprint, long afterSeq, Consumer<LogRecord> apply)
      throws IOException {
    List<Long> firsts = Storage.sequences(dir, "wal-", ".log");
    long expected = afterSeq + 1; // next sequence number the state needs
    long records = 0;
    long torn = 0;
    for (int i = 0; i < firsts.size(); i++) {
      boolean newest = i == firsts.size() - 1;
      long nextFirst = newest ? Long.MAX_VALUE : firsts.get(i + 1);
      Path path = WriteAheadLog.segmentPath(dir, firsts.get(i));
      Segment segment =
          readSegment(path, bits, fingerprint, firsts.get(i), nextFirst, expected, apply);
      expected = segment.next;
      records += segment.applied;
      torn += segment.tornBytes;
    }
    return new Result(expected - 1, records, torn);
  }

  private record Segment(long next, long applied, long tornBytes) {}

  private static Segment readSegment(
      Path path,
      int bits,
      String fingerprint,
      long first,
      long nextFirst,
      long expected,
      Consumer<LogRecord> apply)
      throws IOException {
    String name = path.getFileName().toString();
    long size = Files.size(path);
    int words = Code.wordsFor(bits);
    boolean newest = nextFirst == Long.MAX_VALUE;
    long offset;
    long seq = first;
    long applied = 0;
    String damage = null;
    try (InputStream raw = Files.newInputStream(path);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      FileHeader header;
      try {
        header = FileHeader.read(in, FileHeader.LOG_MAGIC, name);
      } catch (EOFException | CorruptIndexException e) {
        if (!newest) {
          throw new CorruptIndexException(name + ": " + e.getMessage());
        }
        // Torn while the segment was being created: it holds no record.
        LOG.warn("{}: header torn by a crash; removing the empty segment", name);
        Storage.files(path.getParent()).delete(path);
        return new Segment(expected, 0, size);
      }
      header.checkMatches(bits, fingerprint, name);
      if (header.seq() != first) {
        throw new CorruptIndexException(name + ": header says first sequence " + header.seq());
      }
      offset = header.encode().length;
      CRC32C crc = new CRC32C();
      while (offset < size) {
        damage = null;
        if (seq >= nextFirst) {
          // Records the log dropped after a failure; the next segment holds what came instead.
          damage = "records from " + seq + " superseded by the next segment";
          break;
        }
        if (size - offset < 8) {
          damage = "record header cut short";
          break;
        }
        int length = in.readInt();
        int sum = in.readInt();
        if (length < 11 || length > WriteAheadLog.MAX_BODY || length > size - offset - 8) {
          damage = "record length " + length + " impossible";
          break;
        }
        byte[] body = in.readNBytes(length);
        crc.reset();
        crc.update(body);
        if ((int) crc.getValue() != sum) {
          damage = "record checksum mismatch";
          break;
        }
        LogRecord record = LogRecord.readBody(ByteBuffer.wrap(body), words);
        if (record.seq() != seq) {
          throw new CorruptIndexException(
              name + ": record " + record.seq() + " where " + seq + " belongs");
        }
        if (seq >= expected) {
          if (seq != expected) {
            throw new CorruptIndexException(
                name + ": log gap, records " + expected + ".." + (seq - 1) + " are missing");
          }
          apply.accept(record);
          applied++;
          expected++;
        }
        seq++;
        offset += 8 + length;
      }
    }
    if (damage == null) {
      return new Segment(expected, applied, 0);
    }
    if (!newest && nextFirst > seq) {
      throw new CorruptIndexException(
          name + ": " + damage + " at byte " + offset + " of an older segment");
    }
    long tornBytes = size - offset;
    LOG.warn(
        "{}: {} ({}) at byte {}; truncating {} bytes",
        name,
        newest ? "torn tail" : "tail abandoned after a write failure",
        damage,
        offset,
        tornBytes);
    try (StorageFiles.LogFile file = Storage.files(path.getParent()).openExisting(path)) {
      file.truncate(offset);
      file.force();
    }
    return new Segment(expected, applied, tornBytes);
  }
}
