package dev.pipit.cluster.node;

import dev.pipit.gallery.DurableFiles;
import dev.pipit.index.Code;
import dev.pipit.index.Entry;
import dev.pipit.index.HammingIndex;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's local copy of its replica and the sequence it reflects, under the data dir, so a restart
 * replays only the log after it instead of the whole shard. The file is written aside, fsynced and
 * renamed over the old one, and the directory fsynced ({@link DurableFiles}); a damaged or foreign
 * file is ignored (the node then starts from 0, which is slower but never wrong, since PostgreSQL
 * holds everything).
 */
public final class ReplicaSnapshot {

  private static final Logger log = LoggerFactory.getLogger(ReplicaSnapshot.class);
  private static final int MAGIC = 0x50495052; // "PIPR"
  private static final int VERSION = 1;

  /** A restored replica and the sequence to tail after. */
  public record Restored(ReplicaIndex replica, long sequence) {}

  private final Path file;
  private final int shard;

  public ReplicaSnapshot(Path dataDir, int shard) {
    this.file = dataDir.resolve("replica-shard-" + shard + ".snapshot");
    this.shard = shard;
  }

  public Path file() {
    return file;
  }

  /**
   * What a snapshot holds, copied out of the replica, labelled with a sequence all of whose changes
   * it holds; it may hold later ones too (see {@link #capture}).
   */
  public record Captured(
      long sequence, String servedModel, long activatedAt, Map<String, Model> models) {

    /** One model's code length and live entries, in insertion order. */
    public record Model(int bits, List<Entry> entries) {}

    /** Entries over every model. */
    public long entries() {
      return models.values().stream().mapToLong(m -> m.entries().size()).sum();
    }
  }

  /**
   * Copies {@code replica}, which has applied every change up to {@code sequence}, while the tail
   * goes on. The copy may then hold changes after {@code sequence} as well; that is harmless,
   * because the restart replays the log after {@code sequence} and replaying a change already
   * applied changes nothing: an upsert puts the item where it already is (the newest insertion, in
   * log order), a delete of an absent item does nothing, an activation of the served model keeps
   * it. Each model's index is read as one consistent state.
   */
  public Captured capture(ReplicaIndex replica, long sequence) {
    ReplicaIndex.Models now = replica.models();
    Map<String, Captured.Model> models = new LinkedHashMap<>();
    for (Map.Entry<String, HammingIndex> model : now.indexes().entrySet()) {
      HammingIndex index = model.getValue();
      List<Entry> entries = new ArrayList<>(index.size());
      index.forEach(entries::add); // insertion order: the tie rule survives the restart
      models.put(model.getKey(), new Captured.Model(index.bits(), entries));
    }
    return new Captured(sequence, now.served().modelId(), now.served().activatedAt(), models);
  }

  /** Writes {@code replica}, which has applied every change up to {@code sequence}. */
  public void write(ReplicaIndex replica, long sequence) throws IOException {
    write(capture(replica, sequence));
  }

  /** Writes a captured replica (any thread; the tail may go on meanwhile). */
  public void write(Captured captured) throws IOException {
    DurableFiles.replace(file, stream -> writeTo(stream, captured));
  }

  private void writeTo(OutputStream stream, Captured captured) throws IOException {
    CRC32 crc = new CRC32();
    DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(new CheckedOutputStream(stream, crc), 1 << 16));
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(shard);
    out.writeLong(captured.sequence());
    out.writeUTF(captured.servedModel());
    out.writeLong(captured.activatedAt());
    out.writeInt(captured.models().size());
    for (Map.Entry<String, Captured.Model> model : captured.models().entrySet()) {
      out.writeUTF(model.getKey());
      out.writeInt(model.getValue().bits());
      List<Entry> entries = model.getValue().entries();
      out.writeInt(entries.size());
      for (Entry e : entries) {
        out.writeUTF(e.id());
        for (long w : e.code().words()) {
          out.writeLong(w);
        }
        byte[] payload = e.payload() == null ? new byte[0] : e.payload();
        out.writeInt(payload.length);
        out.write(payload);
      }
    }
    out.flush();
    out.writeLong(crc.getValue());
    out.flush();
  }

  /** The replica of the last snapshot, if one is there and intact. */
  public Optional<Restored> read() {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    CRC32 crc = new CRC32();
    Map<String, HammingIndex> indexes = new HashMap<>();
    try (InputStream raw = Files.newInputStream(file);
        CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw), crc);
        DataInputStream in = new DataInputStream(checked)) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION || in.readInt() != shard) {
        log.warn("ignoring {}: not a version {} snapshot of shard {}", file, VERSION, shard);
        return Optional.empty();
      }
      long sequence = in.readLong();
      String servedModel = in.readUTF();
      long activatedAt = in.readLong();
      int models = in.readInt();
      for (int m = 0; m < models; m++) {
        String modelId = in.readUTF();
        int bits = in.readInt();
        int count = in.readInt();
        List<Entry> entries = new ArrayList<>(count);
        long[] words = new long[Code.wordsFor(bits)];
        for (int i = 0; i < count; i++) {
          String id = in.readUTF();
          for (int w = 0; w < words.length; w++) {
            words[w] = in.readLong();
          }
          byte[] payload = new byte[in.readInt()];
          in.readFully(payload);
          entries.add(new Entry(id, Code.of(bits, words.clone()), payload));
        }
        HammingIndex index = HammingIndex.inMemory(ReplicaIndex.replicaOptions(bits, modelId));
        if (!entries.isEmpty()) {
          index.upsertAll(entries);
        }
        indexes.put(modelId, index);
      }
      long expected = crc.getValue();
      if (in.readLong() != expected || !indexes.containsKey(servedModel)) {
        throw new IOException("checksum mismatch");
      }
      return Optional.of(
          new Restored(new ReplicaIndex(indexes, servedModel, activatedAt), sequence));
    } catch (IOException | RuntimeException e) {
      log.warn(
          "ignoring damaged snapshot {}: {}; the replica starts from the log", file, e.toString());
      for (HammingIndex index : indexes.values()) {
        try {
          index.close();
        } catch (IOException ignored) {
          // In-memory: nothing to release beyond the heap.
        }
      }
      return Optional.empty();
    }
  }
}
