package dev.pipit.index;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongFunction;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot: every live entry as of one sequence number, in insertion order, named {@code
 * snapshot-<seq, 20 digits>.bin}. Written to a temporary file, fsynced, then renamed with {@code
 * ATOMIC_MOVE} and the directory fsynced, so a crash leaves either the old or the new snapshot.
 *
 * <p>Version 3 (written now) holds the in-memory sections as they lie in memory, each starting at a
 * multiple of 64 bytes in the file, so that loading maps the file, checks each section's CRC32C and
 * uses the sections in place, without copying them ({@link SnapshotLoader}; the id table too: it is
 * built for the snapshot's ordinals when the snapshot is written). The header is big-endian as in
 * {@link FileHeader} (magic "PSNP", version 3); the sections are little-endian; {@code pad} is zero
 * bytes up to the next multiple of 64, in no checksum:
 *
 * <pre>
 * snapshot := header pad codes pad deltas pad bases pad records pad slots trailer
 * codes    := u64×(count·ceil(bits/64))   -- row-major, entry by entry
 * deltas   := u32×count                   -- record offset minus its group's base ({@link ColdStore})
 * bases    := u64×ceil(count/1024)        -- record offset of each group's first entry
 * records  := byte[recordBytes]           -- {@link ColdStore} records of the live entries
 * slots    := i32×slotCount               -- the {@link IdTable} over the snapshot's ordinals
 * trailer  := count:u64 payloadBytes:u64 recordBytes:u64 slotCount:u64 crc:u32×5 trailerCrc:u32
 *             -- CRC32C of codes, deltas, bases, records, slots; then of the trailer before it
 * </pre>
 *
 * <p>Version 2 snapshots (the same sections without padding) still load, by copying each section;
 * version 1 snapshots (entries one after another, {@code idLength:u16 id code:u64×words
 * payloadLength:i32 payload}, one CRC32C, big-endian) by parsing; the next snapshot is written as
 * version 3.
 */
final class SnapshotFile {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFile.class);

  /** Snapshots kept on disk: the newest, and one older to fall back on if the newest is damaged. */
  static final int KEEP = 2;

  /** The format written now. */
  static final int VERSION = 3;

  /** Sections of version 3 start at multiples of this many bytes (a cache line). */
  static final int SECTION_ALIGNMENT = 64;

  /** A loaded snapshot: the sequence it includes and its entries (null when there was none). */
  record Loaded(long seq, Generation generation) {}

  private SnapshotFile() {}

  static Path path(Path dir, long seq) {
    return dir.resolve(String.format("snapshot-%020d.bin", seq));
  }

  /** Writes the live entries of {@code view} as of {@code view.seq}; returns the file. */
  static Path write(Path dir, View view, String fingerprint) throws IOException {
    Path target = path(dir, view.seq);
    Path temp = dir.resolve(target.getFileName() + ".tmp");
    StorageFiles files = Storage.files(dir);
    files.delete(temp); // left by a failed attempt
    StorageFiles.LogFile file = files.create(temp);
    boolean renamed = false;
    try {
      byte[] header =
          new FileHeader(
                  FileHeader.SNAPSHOT_MAGIC, VERSION, view.generation.bits, fingerprint, view.seq)
              .encode();
      file.write(ByteBuffer.wrap(header));
      writeSections(view, new SectionWriter(file, header.length));
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

  private static void writeSections(View view, SectionWriter out) throws IOException {
    ColdStore cold = view.generation.cold;
    int words = view.generation.words;
    long live = 0;
    long payloadBytes = 0;
    int[] crcs = new int[5];
    out.align();
    for (int i = 0; i < view.count; i++) {
      if (view.isLive(i)) {
        live++;
        for (int w = 0; w < words; w++) {
          out.putLong(view.codes.get(i, w));
        }
      }
    }
    crcs[0] = out.endSection();
    out.align();
    // Offsets of the records once dead ones are left out.
    long[] bases =
        new long[(int) ((live + (1 << ColdStore.GROUP_SHIFT) - 1) >>> ColdStore.GROUP_SHIFT)];
    long next = 0;
    long n = 0;
    for (int i = 0; i < view.count; i++) {
      if (view.isLive(i)) {
        if ((n & ((1 << ColdStore.GROUP_SHIFT) - 1)) == 0) {
          bases[(int) (n >>> ColdStore.GROUP_SHIFT)] = next;
        }
        out.putInt((int) (next - bases[(int) (n >>> ColdStore.GROUP_SHIFT)]));
        next += cold.recordLength(cold.offset(i));
        payloadBytes += cold.payloadLength(i);
        n++;
      }
    }
    crcs[1] = out.endSection();
    out.align();
    for (long base : bases) {
      out.putLong(base);
    }
    crcs[2] = out.endSection();
    out.align();
    // Records in runs of live entries, copied straight from the arena.
    int i = 0;
    while (i < view.count) {
      if (!view.isLive(i)) {
        i++;
        continue;
      }
      int runEnd = i + 1;
      while (runEnd < view.count && view.isLive(runEnd)) {
        runEnd++;
      }
      long from = cold.offset(i);
      long last = cold.offset(runEnd - 1);
      long to = last + cold.recordLength(last);
      out.putRange(cold.records, from, to - from);
      i = runEnd;
    }
    crcs[3] = out.endSection();
    out.align();
    MemorySegment slots = IdTable.slotsFor(live, new LiveIds(view));
    out.putSegment(slots);
    crcs[4] = out.endSection();
    out.putLong(live);
    out.putLong(payloadBytes);
    out.putLong(next);
    out.putLong(slots.byteSize() / 4);
    for (int crc : crcs) {
      out.putInt(crc);
    }
    out.putInt(out.endSection());
    out.flush();
  }

  /**
   * The ids of the live entries of a view, by their ordinal among the live ones (read in order).
   */
  private static final class LiveIds implements LongFunction<byte[]> {
    private final View view;
    private int ordinal = -1;

    LiveIds(View view) {
      this.view = view;
    }

    @Override
    public byte[] apply(long liveOrdinal) {
      do {
        ordinal++;
      } while (!view.isLive(ordinal));
      return view.generation.cold.idBytes(ordinal);
    }
  }

  /** Buffered little-endian writes with a CRC32C per section. */
  private static final class SectionWriter {
    private final StorageFiles.LogFile file;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long position; // bytes of the file written or buffered

    SectionWriter(StorageFiles.LogFile file, long position) {
      this.file = file;
      this.position = position;
    }

    /** Zero bytes up to the next section boundary, outside every checksum. */
    void align() throws IOException {
      flush();
      int pad = (int) (-position & (SECTION_ALIGNMENT - 1));
      if (pad > 0) {
        file.write(ByteBuffer.allocate(pad));
        position += pad;
      }
    }

    void putLong(long value) throws IOException {
      room(8);
      buffer.putLong(value);
      position += 8;
    }

    void putInt(int value) throws IOException {
      room(4);
      buffer.putInt(value);
      position += 4;
    }

    void putRange(SegmentedMemory memory, long from, long length) throws IOException {
      flush();
      memory.writeTo(
          from,
          length,
          bytes -> {
            crc.update(bytes.duplicate());
            file.write(bytes);
          });
      position += length;
    }

    void putSegment(MemorySegment segment) throws IOException {
      flush();
      for (long at = 0; at < segment.byteSize(); at += 1L << 30) {
        ByteBuffer bytes =
            segment.asSlice(at, Math.min(1L << 30, segment.byteSize() - at)).asByteBuffer();
        crc.update(bytes.duplicate());
        file.write(bytes);
      }
      position += segment.byteSize();
    }

    /** Ends a section: returns its CRC32C and starts the next one's. */
    int endSection() throws IOException {
      flush();
      int value = (int) crc.getValue();
      crc.reset();
      return value;
    }

    private void room(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
      }
    }

    void flush() throws IOException {
      buffer.flip();
      crc.update(buffer.duplicate());
      file.write(buffer);
      buffer.clear();
    }
  }

  /**
   * Loads the newest snapshot that reads back intact, falling back to older ones (reported).
   *
   * @return the snapshot (sequence 0 and no generation when there is none)
   * @throws IndexMismatchException when a snapshot was written for another code length or model, or
   *     in a format version this build does not read
   */
  static Loaded loadNewest(Path dir, int bits, String fingerprint) throws IOException {
    List<Long> seqs = Storage.sequences(dir, "snapshot-", ".bin");
    for (int i = seqs.size() - 1; i >= 0; i--) {
      Path file = path(dir, seqs.get(i));
      try {
        return load(file, bits, fingerprint);
      } catch (CorruptIndexException | EOFException e) {
        LOG.warn(
            "snapshot {} is damaged ({}); trying an older one", file.getFileName(), e.getMessage());
      }
    }
    return new Loaded(0, null);
  }

  /**
   * Loads one snapshot file (any name, any directory) as {@link #loadNewest} loads the newest.
   *
   * @throws CorruptIndexException if it is damaged
   * @throws IndexMismatchException if it was written for another code length or model
   */
  static Loaded load(Path file, int bits, String fingerprint) throws IOException {
    String name = file.getFileName().toString();
    FileHeader header;
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 4096))) {
      header = FileHeader.read(in, FileHeader.SNAPSHOT_MAGIC, name);
    }
    header.checkMatches(bits, fingerprint, name);
    if (header.version() == 1) {
      Generation generation = new Generation(bits, 1024, header.seq());
      long seq = read(file, bits, fingerprint, generation::append);
      return new Loaded(seq, generation);
    }
    return new Loaded(header.seq(), SnapshotLoader.map(file, name, header, bits));
  }

  /** Receives entries read from a version 1 snapshot, in insertion order. */
  interface EntrySink {
    void entry(String id, long[] code, byte[] payload);
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
