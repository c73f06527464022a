package dev.pipit.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.Safetensors;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The state of a training run after an outer iteration, enough to resume it: the network parameters
 * ({@code network.params}, DJL format), the database codes V and the next outer iteration ({@code
 * state.bin}: big-endian {@code int magic "PCK1", int next, int n, int bits, float V[n·bits]}, then
 * {@code long settingsHash}) and the optimiser's momentum buffers ({@code momentum.safetensors}),
 * so a resumed run continues exactly as the uninterrupted one would have. Written into a temporary
 * directory and moved into place, so a run killed while checkpointing leaves the previous
 * checkpoint intact.
 */
public final class Checkpoint {

  private static final int MAGIC = 0x50434B31; // "PCK1"

  /** What a checkpoint restores. */
  public record State(int nextIteration, float[] codes, Map<String, float[]> momentum) {}

  private Checkpoint() {}

  /** Writes the checkpoint of {@code network} and V into {@code dir} (replacing an older one). */
  public static void write(
      Path dir,
      HashingNetwork network,
      float[] codes,
      Map<String, float[]> momentum,
      int nextIteration,
      int n,
      long settingsHash)
      throws IOException {
    Path temp = dir.resolveSibling(dir.getFileName() + ".tmp");
    deleteRecursively(temp);
    Files.createDirectories(temp);
    try (var out =
        new DataOutputStream(
            new BufferedOutputStream(Files.newOutputStream(temp.resolve("network.params"))))) {
      network.saveParameters(out);
    }
    try (var out =
        new DataOutputStream(
            new BufferedOutputStream(Files.newOutputStream(temp.resolve("state.bin"))))) {
      out.writeInt(MAGIC);
      out.writeInt(nextIteration);
      out.writeInt(n);
      out.writeInt(network.bits());
      for (float v : codes) {
        out.writeFloat(v);
      }
      out.writeLong(settingsHash);
    }
    Map<String, Safetensors.Tensor> buffers = new TreeMap<>();
    momentum.forEach(
        (id, values) ->
            buffers.put(id, new Safetensors.Tensor(new long[] {values.length}, values)));
    Safetensors.write(temp.resolve("momentum.safetensors"), buffers);
    Path old = dir.resolveSibling(dir.getFileName() + ".old");
    deleteRecursively(old);
    if (Files.exists(dir)) {
      Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
    deleteRecursively(old);
  }

  /**
   * Loads a checkpoint into {@code network} and returns V and the next iteration.
   *
   * @throws IOException if the checkpoint is missing, corrupt, or was written with other settings
   */
  public static State read(
      Path dir, HashingNetwork network, NDManager manager, int n, long settingsHash)
      throws IOException {
    if (!Files.isRegularFile(dir.resolve("state.bin"))) {
      throw new IOException("no checkpoint to resume in " + dir);
    }
    float[] codes;
    int next;
    try (var in =
        new DataInputStream(
            new BufferedInputStream(Files.newInputStream(dir.resolve("state.bin"))))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(dir.resolve("state.bin") + " is not a pipit checkpoint");
      }
      next = in.readInt();
      int count = in.readInt();
      int bits = in.readInt();
      if (count != n || bits != network.bits()) {
        throw new IOException(
            "checkpoint is for "
                + count
                + " images × "
                + bits
                + " bits, this run has "
                + n
                + " × "
                + network.bits());
      }
      codes = new float[count * bits];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = in.readFloat();
      }
      if (in.readLong() != settingsHash) {
        throw new IOException(
            "checkpoint in "
                + dir
                + " was written with other training settings; start afresh without --resume");
      }
    }
    try (var in =
        new DataInputStream(
            new BufferedInputStream(Files.newInputStream(dir.resolve("network.params"))))) {
      network.loadParameters(manager, in);
    } catch (MalformedModelException e) {
      throw new IOException(
          "checkpoint parameters in " + dir + " do not fit the network: " + e.getMessage(), e);
    }
    Map<String, float[]> momentum = new TreeMap<>();
    Safetensors.read(dir.resolve("momentum.safetensors"))
        .forEach((id, tensor) -> momentum.put(id, tensor.data()));
    return new State(next, codes, momentum);
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
