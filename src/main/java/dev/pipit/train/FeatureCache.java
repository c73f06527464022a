package dev.pipit.train;

import dev.pipit.model.BackboneReference;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An on-disk cache of frozen-backbone feature maps (layer 4 for {@link BackboneMode#FROZEN}, layer
 * 3 for {@link BackboneMode#LAST_STAGE}), so that every method and code length of a results table
 * reuses one backbone pass per (dataset, subset, input size, backbone, cut). A file is found by the
 * hash of its {@link Key} and also stores the key itself, which is checked on read: any change of
 * dataset, subset, input size, backbone weights, cut (in the variant) or SREM settings is a miss.
 *
 * <p>File form: {@code int magic "PFM1", UTF key, int N, int C, int h, int w, float[N·C·h·w]}
 * (big-endian).
 */
public final class FeatureCache {

  private static final int MAGIC = 0x50464D31; // "PFM1"

  /**
   * What a cached set of maps was computed from.
   *
   * @param dataset dataset kind and root, e.g. {@code
   *     fashion-mnist:/usr/share/datasets/fashion-mnist}
   * @param split {@code train} or {@code test}
   * @param trainPerClass database images per class (0 = all)
   * @param testPerClass query images per class (0 = all)
   * @param inputSize network input side
   * @param backbone identity of the backbone weights (a sha256)
   * @param variant {@code plain}, or the SREM settings of erased copies, e.g. {@code
   *     erased-n50-s16}
   */
  public record Key(
      String dataset,
      String split,
      int trainPerClass,
      int testPerClass,
      int inputSize,
      String backbone,
      String variant) {

    /** The same key for another variant (plain maps and their erased copies share the rest). */
    public Key withVariant(String other) {
      return new Key(dataset, split, trainPerClass, testPerClass, inputSize, backbone, other);
    }

    String fileName() {
      String readable =
          (dataset.replaceAll(":.*", "")
                  + "-"
                  + split
                  + "-"
                  + trainPerClass
                  + "-"
                  + testPerClass
                  + "-"
                  + inputSize
                  + "-"
                  + variant)
              .replaceAll("[^A-Za-z0-9._-]", "_");
      return readable
          + "-"
          + sha256(toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16)
          + ".pfm";
    }
  }

  /** Computes maps on a miss. */
  @FunctionalInterface
  public interface Computation {
    FeatureMaps compute() throws IOException;
  }

  private final Path directory;
  private int hits;
  private int misses;

  /**
   * @param directory where cache files live (created on first write); null disables caching
   */
  public FeatureCache(Path directory) {
    this.directory = directory;
  }

  /** A cache that never stores anything. */
  public static FeatureCache disabled() {
    return new FeatureCache(null);
  }

  /** Whether lookups can hit at all. */
  public boolean enabled() {
    return directory != null;
  }

  /**
   * The cached maps of {@code key}, or null on a miss (including a file whose stored key differs).
   */
  public FeatureMaps get(Key key) throws IOException {
    if (directory == null) {
      return null;
    }
    Path file = directory.resolve(key.fileName());
    if (!Files.isRegularFile(file)) {
      misses++;
      return null;
    }
    FeatureMaps maps = read(file, key);
    if (maps == null) {
      misses++;
    } else {
      hits++;
    }
    return maps;
  }

  /** Stores maps under {@code key} (written to a temporary file and moved into place). */
  public void put(Key key, FeatureMaps maps) throws IOException {
    if (directory == null) {
      return;
    }
    Files.createDirectories(directory);
    Path file = directory.resolve(key.fileName());
    Path temp = directory.resolve(key.fileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      var header = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(header);
      out.writeInt(MAGIC);
      out.writeUTF(key.toString());
      out.writeInt(maps.count());
      out.writeInt(maps.channels());
      out.writeInt(maps.height());
      out.writeInt(maps.width());
      out.flush();
      channel.write(ByteBuffer.wrap(header.toByteArray()));
      float[] data = maps.data();
      ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.BIG_ENDIAN);
      for (int i = 0; i < data.length; ) {
        buffer.clear();
        int n = Math.min(data.length - i, buffer.capacity() / 4);
        buffer.asFloatBuffer().put(data, i, n);
        buffer.limit(n * 4);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        i += n;
      }
    }
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The cached maps, or computed by {@code computation} and stored. */
  public FeatureMaps getOrCompute(Key key, Computation computation) throws IOException {
    FeatureMaps cached = get(key);
    if (cached != null) {
      return cached;
    }
    FeatureMaps maps = computation.compute();
    put(key, maps);
    return maps;
  }

  /** Lookups that found their maps. */
  public int hits() {
    return hits;
  }

  /** Lookups that did not. */
  public int misses() {
    return misses;
  }

  private static FeatureMaps read(Path file, Key key) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
      if (in.readInt() != MAGIC || !in.readUTF().equals(key.toString())) {
        return null;
      }
      int n = in.readInt();
      int c = in.readInt();
      int h = in.readInt();
      int w = in.readInt();
      float[] data = new float[Math.multiplyExact(Math.multiplyExact(n, c), h * w)];
      byte[] chunk = new byte[1 << 20];
      for (int i = 0; i < data.length; ) {
        int n4 = Math.min(data.length - i, chunk.length / 4);
        in.readFully(chunk, 0, n4 * 4);
        ByteBuffer.wrap(chunk, 0, n4 * 4)
            .order(ByteOrder.BIG_ENDIAN)
            .asFloatBuffer()
            .get(data, i, n4);
        i += n4;
      }
      return new FeatureMaps(data, n, c, h, w);
    } catch (EOFException e) {
      return null; // truncated: recompute
    }
  }

  /** The identity of a backbone's weights: {@link dev.pipit.model.BackboneReference#id}. */
  public static String backboneId(Path modelJson) throws IOException {
    return BackboneReference.id(modelJson);
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
