package dev.pipit.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDX files written here: 3×2 images whose first pixel is the image's index, so order is visible.
 */
class FashionMnistTests {

  @TempDir Path dir;

  @Test
  void loadsGzippedAndPlainIdxInFileOrder() throws IOException {
    write("train", new int[] {3, 1, 3, 0, 1, 2, 4, 5, 6, 7, 8, 9}, true);
    write("t10k", new int[] {9, 0, 1, 2, 3, 4, 5, 6, 7, 8}, false);
    Dataset d = FashionMnist.load(dir);
    assertThat(d.classes()).hasSize(10).startsWith("T-shirt/top").endsWith("Ankle boot");
    assertThat(d.train().labels()).startsWith(3, 1, 3, 0, 1).hasSize(12);
    assertThat(d.test().labels()).startsWith(9, 0).hasSize(10);
    BufferedImage image = d.train().image(2);
    assertThat(image.getWidth()).isEqualTo(2);
    assertThat(image.getHeight()).isEqualTo(3);
    assertThat(image.getRaster().getSample(0, 0, 0)).isEqualTo(2);
    assertThat(image.getRaster().getSample(1, 2, 0)).isEqualTo(200);
    assertThat(d.train().id(4)).isEqualTo("train/4");
  }

  @Test
  void subsetTakesTheFirstImagesOfEachClass() throws IOException {
    write("train", new int[] {3, 1, 3, 0, 1, 3, 2, 4, 5, 6, 7, 8, 9}, true);
    write("t10k", new int[] {9, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8}, true);
    Dataset d = DatasetLoader.load("fashion-mnist", dir, LoadOptions.defaults().withSubset(1, 1));
    assertThat(d.train().labels()).containsExactly(3, 1, 0, 2, 4, 5, 6, 7, 8, 9);
    assertThat(d.train().id(2)).isEqualTo("train/3");
    assertThat(((GrayscaleSplit) d.train()).pixels(2)[0]).isEqualTo((byte) 3);
    assertThat(d.test().labels()).containsExactly(9, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void badFilesAreNamed() throws IOException {
    int[] all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    write("train", all, true);
    write("t10k", all, true);
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    assertThatThrownBy(() -> FashionMnist.load(dir))
        .hasMessageContaining("t10k-labels-idx1-ubyte.gz: missing");

    write("t10k", all, true);
    swap(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
    assertThatThrownBy(() -> FashionMnist.load(dir))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("train-labels-idx1-ubyte.gz: bad magic 0x00000803");

    write("train", all, true);
    Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
    gzip(labels, idxLabels(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9}));
    assertThatThrownBy(() -> FashionMnist.load(dir))
        .hasMessageContaining(
            "train-images-idx3-ubyte.gz: 10 images but train-labels-idx1-ubyte.gz has 11 labels");

    gzip(labels, idxLabels(new int[] {1, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    assertThatThrownBy(() -> FashionMnist.load(dir))
        .hasMessageContaining("train-labels-idx1-ubyte.gz: class 0 (T-shirt/top) has no images");

    gzip(labels, idxLabels(new int[] {0, 12, 2, 3, 4, 5, 6, 7, 8, 9}));
    assertThatThrownBy(() -> FashionMnist.load(dir))
        .hasMessageContaining("label 12 of item 1 is outside 0..9");

    write("train", all, true);
    byte[] images = idxImages(10);
    gzip(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(images, images.length - 1));
    assertThatThrownBy(() -> FashionMnist.load(dir))
        .hasMessageContaining("train-images-idx3-ubyte.gz: file is truncated");
  }

  private void write(String stem, int[] labels, boolean gz) throws IOException {
    Path images = dir.resolve(stem + "-images-idx3-ubyte" + (gz ? ".gz" : ""));
    Path labelFile = dir.resolve(stem + "-labels-idx1-ubyte" + (gz ? ".gz" : ""));
    if (gz) {
      gzip(images, idxImages(labels.length));
      gzip(labelFile, idxLabels(labels));
    } else {
      Files.write(images, idxImages(labels.length));
      Files.write(labelFile, idxLabels(labels));
    }
  }

  private static byte[] idxImages(int count) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000803);
    out.writeInt(count);
    out.writeInt(3); // rows
    out.writeInt(2); // cols
    for (int i = 0; i < count; i++) {
      out.write(new byte[] {(byte) i, 0, 0, 0, 0, (byte) 200});
    }
    return bytes.toByteArray();
  }

  private static byte[] idxLabels(int[] labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000801);
    out.writeInt(labels.length);
    for (int label : labels) {
      out.write(label);
    }
    return bytes.toByteArray();
  }

  private static void gzip(Path file, byte[] content) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content);
    }
  }

  private static void swap(Path a, Path b) throws IOException {
    Path tmp = a.resolveSibling("swap.tmp");
    Files.move(a, tmp);
    Files.move(b, a);
    Files.move(tmp, b);
  }
}
