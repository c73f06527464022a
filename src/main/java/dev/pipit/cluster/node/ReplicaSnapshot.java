package dev.pipit.cluster.node;

import dev.pipit.gallery.DurableFiles;
import dev.pipit.index.HammingIndex;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's local copy of its replica and the sequence it reflects, under the data dir, so a restart
 * replays only the log after it instead of the whole shard.
 *
 * <p>Each model's index is written as an index snapshot file ({@link HammingIndex#writeSnapshotTo})
 * into a directory of its own, {@code replica-shard-<n>/<id>/}, and a small manifest, {@code
 * replica-shard-<n>.snapshot} (sequence, served model, one file per model, CRC32), is then replaced
 * durably ({@link DurableFiles}): the manifest's rename is the commit, after which older
 * directories are deleted. A restart maps the files in place ({@link
 * HammingIndex#inMemoryFromSnapshot}), as a standalone index loads its own snapshots, instead of
 * parsing entries one by one. A damaged, missing or foreign file is ignored (the node then starts
 * from 0, which is slower but never wrong, since PostgreSQL holds everything).
 */
public final class ReplicaSnapshot {

  private static final Logger log = LoggerFactory.getLogger(ReplicaSnapshot.class);
  private static final int MAGIC = 0x50495052; // "PIPR"
  private static final int VERSION = 2;

  /** A restored replica and the sequence to tail after. */
  public record Restored(ReplicaIndex replica, long sequence) {}

  /** A written snapshot: the sequence it is labelled with and the entries it holds. */
  public record Written(long sequence, long entries) {}

  private record ModelFile(String modelId, int bits, String file) {}

  private final Path dataDir;
  private final Path manifest;
  private final Path filesDir;
  private final int shard;

  public ReplicaSnapshot(Path dataDir, int shard) {
    this.dataDir = dataDir;
    this.manifest = dataDir.resolve("replica-shard-" + shard + ".snapshot");
    this.filesDir = dataDir.resolve("replica-shard-" + shard);
    this.shard = shard;
  }

  /** The manifest, whose replacement commits a snapshot. */
  public Path file() {
    return manifest;
  }

  /**
   * Writes {@code replica}, which has applied every change up to {@code sequence}, while the tail
   * goes on. Each model's index is written as one consistent state, which may hold changes after
   * {@code sequence} as well; that is harmless, because the restart replays the log after {@code
   * sequence} and replaying a change already applied changes nothing: an upsert puts the item where
   * it already is (the newest insertion, in log order), a delete of an absent item does nothing, an
   * activation of the served model keeps it.
   */
  public Written write(ReplicaIndex replica, long sequence) throws IOException {
    ReplicaIndex.Models now = replica.models();
    Path dir = filesDir.resolve(sequence + "-" + UUID.randomUUID());
    boolean committed = false;
    try {
      List<ModelFile> files = new ArrayList<>();
      long entries = 0;
      int n = 0;
      for (Map.Entry<String, HammingIndex> model : now.indexes().entrySet()) {
        HammingIndex index = model.getValue();
        Path written = index.writeSnapshotTo(dir.resolve("model-" + n++));
        entries += index.size();
        files.add(
            new ModelFile(model.getKey(), index.bits(), dataDir.relativize(written).toString()));
      }
      // The files' directories must be on disk before the manifest that names them.
      DurableFiles.syncDirectory(dir);
      DurableFiles.syncDirectory(filesDir);
      byte[] body = manifest(sequence, now.served().modelId(), now.served().activatedAt(), files);
      DurableFiles.replace(manifest, body);
      committed = true;
      deleteAllBut(dir);
      return new Written(sequence, entries);
    } finally {
      if (!committed) {
        deleteQuietly(dir);
      }
    }
  }

  private byte[] manifest(
      long sequence, String servedModel, long activatedAt, List<ModelFile> files)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(shard);
    out.writeLong(sequence);
    out.writeUTF(servedModel);
    out.writeLong(activatedAt);
    out.writeInt(files.size());
    for (ModelFile f : files) {
      out.writeUTF(f.modelId());
      out.writeInt(f.bits());
      out.writeUTF(f.file());
    }
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    return bytes.toByteArray();
  }

  /** The replica of the last snapshot, if one is there and intact. */
  public Optional<Restored> read() {
    if (!Files.isRegularFile(manifest)) {
      return Optional.empty();
    }
    Map<String, HammingIndex> indexes = new HashMap<>();
    try {
      CRC32 crc = new CRC32();
      try (InputStream raw = Files.newInputStream(manifest);
          CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw), crc);
          DataInputStream in = new DataInputStream(checked)) {
        if (in.readInt() != MAGIC || in.readInt() != VERSION || in.readInt() != shard) {
          log.warn("ignoring {}: not a version {} snapshot of shard {}", manifest, VERSION, shard);
          return Optional.empty();
        }
        long sequence = in.readLong();
        String servedModel = in.readUTF();
        long activatedAt = in.readLong();
        int models = in.readInt();
        List<ModelFile> files = new ArrayList<>();
        for (int m = 0; m < models; m++) {
          files.add(new ModelFile(in.readUTF(), in.readInt(), in.readUTF()));
        }
        long expected = crc.getValue();
        if (in.readLong() != expected) {
          throw new IOException("manifest checksum mismatch");
        }
        for (ModelFile f : files) {
          indexes.put(
              f.modelId(),
              HammingIndex.inMemoryFromSnapshot(
                  dataDir.resolve(f.file()), ReplicaIndex.replicaOptions(f.bits(), f.modelId())));
        }
        if (!indexes.containsKey(servedModel)) {
          throw new IOException("the served model " + servedModel + " has no file");
        }
        return Optional.of(
            new Restored(new ReplicaIndex(indexes, servedModel, activatedAt), sequence));
      }
    } catch (IOException | RuntimeException e) {
      log.warn(
          "ignoring damaged snapshot {}: {}; the replica starts from the log",
          manifest,
          e.toString());
      for (HammingIndex index : indexes.values()) {
        try {
          index.close();
        } catch (IOException ignored) {
          // In-memory: nothing to release beyond the mapping, which the GC unmaps.
        }
      }
      return Optional.empty();
    }
  }

  /** Deletes every snapshot directory but {@code keep} (a mapped file stays readable). */
  private void deleteAllBut(Path keep) {
    try (Stream<Path> dirs = Files.list(filesDir)) {
      dirs.filter(d -> !d.equals(keep)).forEach(ReplicaSnapshot::deleteQuietly);
    } catch (IOException e) {
      log.warn("cannot list older replica snapshots in {}: {}", filesDir, e.toString());
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      DurableFiles.deleteTree(dir);
    } catch (IOException e) {
      log.warn("cannot remove replica snapshot files {}: {}", dir, e.toString());
    }
  }
}
