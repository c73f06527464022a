package dev.pipit.index;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot: every live entry as of one sequence number, in insertion order, named {@code
 * snapshot-<seq, 20 digits>.bin}. Written to a temporary file, fsynced, then renamed with {@code
 * ATOMIC_MOVE} and the directory fsynced, so a crash leaves either the old or the new snapshot.
 * Big-endian:
 *
 * <pre>
 * snapshot := header count:u32 entry×count crc:u32   -- header as in {@link FileHeader}, magic "PSNP"
 * entry    := idLength:u16 id:byte[idLength] code:u64×ceil(bits/64) payloadLength:i32 payload
 * crc      := CRC32C of every byte after the header up to the crc   -- payloadLength -1: no payload
 * </pre>
 */
final class SnapshotFile {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFile.class);

  /** Snapshots kept on disk: the newest, and one older to fall back on if the newest is damaged. */
  static final int KEEP = 2;

  /** Receives entries read from a snapshot, in insertion order. */
  interface EntrySink {
    void entry(String id, long[] code, byte[] payload);
  }

  private SnapshotFile() {}

  static Path path(Path dir, long seq) {
    return dir.resolve(String.format("snapshot-%020d.bin", seq));
  }

  /** Writes the live entries of {@code view} as of {@code view.seq}; returns the file. */
  static Path write(Path dir, View view, String fingerprint) throws IOException {
    int words = view.generation.words;
    int live = 0;
    for (int i = 0; i < view.count; i++) {
      live += view.isLive(i) ? 1 : 0;
    }
    Path target = path(dir, view.seq);
    Path temp = dir.resolve(target.getFileName() + ".tmp");
    StorageFiles files = Storage.files(dir);
    files.delete(temp); // left by a failed attempt
    StorageFiles.LogFile file = files.create(temp);
    boolean renamed = false;
    try {
      CRC32C crc = new CRC32C();
      DataOutputStream out =
          new DataOutputStream(
              new BufferedOutputStream(new CheckedOutputStream(stream(file), crc), 1 << 16));
      out.write(
          new FileHeader(
                  FileHeader.SNAPSHOT_MAGIC,
                  FileHeader.VERSION,
                  view.generation.bits,
                  fingerprint,
                  view.seq)
              .encode());
      out.flush();
      crc.reset();
      out.writeInt(live);
      for (int i = 0; i < view.count; i++) {
        if (!view.isLive(i)) {
          continue;
        }
        byte[] id = view.ids[i].getBytes(StandardCharsets.UTF_8);
        out.writeShort(id.length);
        out.write(id);
        for (int w = 0; w < words; w++) {
          out.writeLong(view.codes.get(i, w));
        }
        byte[] payload = view.payloads[i];
        out.writeInt(payload == null ? -1 : payload.length);
        if (payload != null) {
          out.write(payload);
        }
      }
      out.flush();
      int sum = (int) crc.getValue();
      out.writeInt(sum);
      out.flush();
      file.force();
      file.close();
      files.atomicMove(temp, target);
      renamed = true;
    } finally {
      if (!renamed) {
        // The previous snapshot stays the newest; the partial one must not fill the disk.
        file.close();
        try {
          files.delete(temp);
        } catch (IOException e) {
          LOG.warn("cannot remove the partial snapshot {}: {}", temp.getFileName(), e.getMessage());
        }
      }
    }
    files.fsyncDirectory(dir);
    return target;
  }

  /**
   * Writes through {@code file}; closing the stream leaves the file open (the caller forces it).
   */
  private static OutputStream stream(StorageFiles.LogFile file) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        file.write(ByteBuffer.wrap(new byte[] {(byte) b}));
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        file.write(ByteBuffer.wrap(bytes, offset, length));
      }
    };
  }

  /**
   * Loads the newest snapshot that reads back intact, falling back to older ones (reported).
   *
   * @return the snapshot's sequence number, or 0 when there is none
   * @throws IndexMismatchException when a snapshot was written for another code length or model
   */
  static long loadNewest(Path dir, int bits, String fingerprint, EntrySink sink, Runnable reset)
      throws IOException {
    List<Long> seqs = Storage.sequences(dir, "snapshot-", ".bin");
    for (int i = seqs.size() - 1; i >= 0; i--) {
      Path file = path(dir, seqs.get(i));
      try {
        return read(file, bits, fingerprint, sink);
      } catch (CorruptIndexException | EOFException e) {
        LOG.warn(
            "snapshot {} is damaged ({}); trying an older one", file.getFileName(), e.getMessage());
        reset.run();
      }
    }
    return 0;
  }

  private static long read(Path file, int bits, String fingerprint, EntrySink sink)
      throws IOException {
    String name = file.getFileName().toString();
    int words = Code.wordsFor(bits);
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      FileHeader header = FileHeader.read(in, FileHeader.SNAPSHOT_MAGIC, name);
      header.checkMatches(bits, fingerprint, name);
      CRC32C body = new CRC32C();
      byte[] eight = new byte[8];
      int count = in.readInt();
      update(body, count);
      if (count < 0) {
        throw new CorruptIndexException(name + ": negative entry count");
      }
      for (int e = 0; e < count; e++) {
        int idLength = in.readUnsignedShort();
        body.update(idLength >>> 8);
        body.update(idLength);
        byte[] id = in.readNBytes(idLength);
        if (id.length < idLength) {
          throw new EOFException(name + ": cut short");
        }
        body.update(id);
        long[] code = new long[words];
        for (int w = 0; w < words; w++) {
          in.readFully(eight);
          body.update(eight);
          code[w] = ByteBuffer.wrap(eight).getLong();
        }
        int payloadLength = in.readInt();
        update(body, payloadLength);
        byte[] payload = null;
        if (payloadLength >= 0) {
          payload = in.readNBytes(payloadLength);
          if (payload.length < payloadLength) {
            throw new EOFException(name + ": cut short");
          }
          body.update(payload);
        }
        sink.entry(new String(id, StandardCharsets.UTF_8), code, payload);
      }
      if (in.readInt() != (int) body.getValue()) {
        throw new CorruptIndexException(name + ": checksum mismatch");
      }
      return header.seq();
    }
  }

  private static void update(CRC32C crc, int value) {
    crc.update(value >>> 24);
    crc.update(value >>> 16);
    crc.update(value >>> 8);
    crc.update(value);
  }

  /** Deletes all but the newest {@link #KEEP} snapshots; returns the oldest kept (0 if none). */
  static long prune(Path dir) throws IOException {
    List<Long> seqs = Storage.sequences(dir, "snapshot-", ".bin");
    for (int i = 0; i < seqs.size() - KEEP; i++) {
      Storage.files(dir).delete(path(dir, seqs.get(i)));
    }
    return seqs.isEmpty() ? 0 : seqs.get(Math.max(0, seqs.size() - KEEP));
  }
}
