package dev.pipit.train.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (and MNIST) in the IDX format: {@code train-images-idx3-ubyte[.gz]}, {@code
 * train-labels-idx1-ubyte[.gz]}, {@code t10k-images-idx3-ubyte[.gz]}, {@code
 * t10k-labels-idx1-ubyte[.gz]}. Gzipped and plain files are both accepted (recognised by content,
 * not name).
 *
 * <p>IDX is big-endian: magic {@code 0x00000803} (unsigned bytes, 3 dimensions) then count, rows,
 * columns and the pixels for images; magic {@code 0x00000801}, count and one byte per label for
 * labels. The loader checks the magic numbers, that counts agree, that the file ends where the
 * header says and that labels lie in 0..9.
 */
public final class FashionMnist {

  /** The ten Fashion-MNIST classes, in label order. */
  public static final List<String> CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;

  private FashionMnist() {}

  /** Loads both splits in full. */
  public static Dataset load(Path dir) throws IOException {
    return load(dir, 0, 0);
  }

  /**
   * Loads both splits, keeping the first {@code trainPerClass} / {@code testPerClass} images of
   * each class in file order ({@code <= 0}: all). Ids are {@code train/<index in file>} and {@code
   * test/<index in file>}.
   */
  public static Dataset load(Path dir, int trainPerClass, int testPerClass) throws IOException {
    ListFile.requireDirectory(dir);
    GrayscaleSplit train = split(dir, "train", trainPerClass);
    GrayscaleSplit test = split(dir, "t10k", testPerClass);
    return new Dataset("fashion-mnist", CLASSES, train, test);
  }

  private static GrayscaleSplit split(Path dir, String stem, int perClass) throws IOException {
    Path imageFile = find(dir, stem + "-images-idx3-ubyte");
    Path labelFile = find(dir, stem + "-labels-idx1-ubyte");
    int[] labels = readLabels(labelFile);
    try (DataInputStream in = open(imageFile)) {
      int magic = in.readInt();
      if (magic != IMAGES_MAGIC) {
        throw new DatasetException(
            imageFile,
            String.format(
                "bad magic 0x%08x, expected 0x%08x (IDX unsigned-byte images)",
                magic, IMAGES_MAGIC));
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (count != labels.length) {
        throw new DatasetException(
            imageFile,
            count + " images but " + labelFile.getFileName() + " has " + labels.length + " labels");
      }
      if (rows < 1 || cols < 1 || rows > 4096 || cols > 4096) {
        throw new DatasetException(imageFile, "implausible image size " + rows + "x" + cols);
      }
      int size = rows * cols;
      int[] perLabel = new int[CLASSES.size()];
      for (int label : labels) {
        perLabel[label]++;
      }
      for (int c = 0; c < perLabel.length; c++) {
        if (perLabel[c] == 0) {
          throw new DatasetException(
              labelFile, "class " + c + " (" + CLASSES.get(c) + ") has no images");
        }
      }
      int[] keep = selectFirstPerClass(labels, perClass);
      byte[] pixels = new byte[keep.length * size];
      byte[] skip = new byte[size];
      int next = 0;
      for (int i = 0; i < count; i++) {
        if (next < keep.length && keep[next] == i) {
          in.readFully(pixels, next * size, size);
          next++;
        } else {
          in.readFully(skip);
        }
      }
      if (in.read() != -1) {
        throw new DatasetException(
            imageFile, "data continues past the " + count + " images the header declares");
      }
      int[] kept = new int[keep.length];
      for (int k = 0; k < keep.length; k++) {
        kept[k] = labels[keep[k]];
      }
      String prefix = stem.equals("t10k") ? "test" : "train";
      return new GrayscaleSplit(prefix, rows, cols, pixels, kept, keep);
    } catch (EOFException e) {
      throw new DatasetException(imageFile, "file is truncated", e);
    }
  }

  static int[] readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = in.readInt();
      if (magic != LABELS_MAGIC) {
        throw new DatasetException(
            file,
            String.format(
                "bad magic 0x%08x, expected 0x%08x (IDX unsigned-byte labels)",
                magic, LABELS_MAGIC));
      }
      int count = in.readInt();
      if (count < 1) {
        throw new DatasetException(file, "declares " + count + " labels");
      }
      byte[] raw = new byte[count];
      in.readFully(raw);
      if (in.read() != -1) {
        throw new DatasetException(
            file, "data continues past the " + count + " labels the header declares");
      }
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = raw[i] & 0xFF;
        if (labels[i] >= CLASSES.size()) {
          throw new DatasetException(
              file, "label " + labels[i] + " of item " + i + " is outside 0..9");
        }
      }
      return labels;
    } catch (EOFException e) {
      throw new DatasetException(file, "file is truncated", e);
    }
  }

  /**
   * Indices (ascending) of the first {@code perClass} items of each label; all when {@code <= 0}.
   */
  static int[] selectFirstPerClass(int[] labels, int perClass) {
    if (perClass <= 0) {
      int[] all = new int[labels.length];
      Arrays.setAll(all, i -> i);
      return all;
    }
    int[] taken = new int[CLASSES.size()];
    int[] keep = new int[labels.length];
    int n = 0;
    for (int i = 0; i < labels.length; i++) {
      if (taken[labels[i]] < perClass) {
        taken[labels[i]]++;
        keep[n++] = i;
      }
    }
    return Arrays.copyOf(keep, n);
  }

  private static Path find(Path dir, String name) throws DatasetException {
    for (Path candidate : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new DatasetException(
        dir.resolve(name + ".gz"), "missing (nor is there an uncompressed " + name + ")");
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    return new DataInputStream(
        gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
  }
}
