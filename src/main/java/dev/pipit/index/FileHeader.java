package dev.pipit.index;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The header that starts every index file (log segment and snapshot). Big-endian:
 *
 * <pre>
 * header      := magic:u32 version:u16 bits:u16 fpLength:u16 fingerprint:byte[fpLength] seq:u64 crc:u32
 * magic       := "PWAL" (log segment) | "PSNP" (snapshot)
 * version     := 1 (log segment) | 1 or 2 (snapshot: see {@link SnapshotFile})
 * fingerprint := the model fingerprint, UTF-8, at most 1024 bytes
 * seq         := log segment: sequence number of its first record; snapshot: last sequence it includes
 * crc         := CRC32C of every header byte before it
 * </pre>
 */
record FileHeader(int magic, int version, int bits, String fingerprint, long seq) {

  static final int LOG_MAGIC = 0x5057414C; // "PWAL"
  static final int SNAPSHOT_MAGIC = 0x50534E50; // "PSNP"
  static final int VERSION = 1;
  static final int MAX_FINGERPRINT_BYTES = 1024;

  byte[] encode() {
    byte[] fp = fingerprint.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(4 + 2 + 2 + 2 + fp.length + 8 + 4);
    buf.putInt(magic)
        .putShort((short) version)
        .putShort((short) bits)
        .putShort((short) fp.length)
        .put(fp)
        .putLong(seq);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.array();
  }

  /**
   * Reads a header.
   *
   * @throws EOFException if the file ends inside the header (a file torn at creation)
   * @throws CorruptIndexException if the magic or checksum is wrong
   */
  static FileHeader read(DataInputStream in, int expectedMagic, String file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] fixed = in.readNBytes(10);
    if (fixed.length < 10) {
      throw new EOFException(file + ": header cut short");
    }
    ByteBuffer head = ByteBuffer.wrap(fixed);
    int magic = head.getInt();
    if (magic != expectedMagic) {
      throw new CorruptIndexException(file + ": not a pipit index file (bad magic)");
    }
    int version = head.getShort() & 0xFFFF;
    int bits = head.getShort() & 0xFFFF;
    int fpLength = head.getShort() & 0xFFFF;
    if (fpLength > MAX_FINGERPRINT_BYTES) {
      throw new CorruptIndexException(file + ": header fingerprint length " + fpLength);
    }
    byte[] rest = in.readNBytes(fpLength + 12);
    if (rest.length < fpLength + 12) {
      throw new EOFException(file + ": header cut short");
    }
    crc.update(fixed);
    crc.update(rest, 0, fpLength + 8);
    ByteBuffer tail = ByteBuffer.wrap(rest, fpLength, 12);
    long seq = tail.getLong();
    if ((int) crc.getValue() != tail.getInt()) {
      throw new CorruptIndexException(file + ": header checksum mismatch");
    }
    // Snapshots of version 1 (parsed) and 2 (mapped) both load; logs have one version.
    int newest = magic == SNAPSHOT_MAGIC ? SnapshotFile.VERSION : VERSION;
    if (version < 1 || version > newest) {
      throw new IndexMismatchException(
          file + ": format version " + version + ", this build reads 1 to " + newest);
    }
    return new FileHeader(
        magic, version, bits, new String(rest, 0, fpLength, StandardCharsets.UTF_8), seq);
  }

  /** Fails with a clear message when the file was written for another code length or model. */
  void checkMatches(int expectedBits, String expectedFingerprint, String file) {
    if (bits != expectedBits) {
      throw new IndexMismatchException(
          file
              + " holds "
              + bits
              + "-bit codes but the index was opened for "
              + expectedBits
              + "-bit codes");
    }
    if (!fingerprint.equals(expectedFingerprint)) {
      throw new IndexMismatchException(
          file
              + " was written for model '"
              + fingerprint
              + "' but the index was opened for model '"
              + expectedFingerprint
              + "'");
    }
  }
}
