package dev.pipit.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** A split whose images are files on disk, decoded on demand by an {@link ImageDecoder}. */
public final class ImageFileSplit implements DatasetSplit {

  private final List<Path> files;
  private final int[] labels;
  private final List<String> ids;
  private final ImageDecoder decoder;

  /**
   * @param files image files, one per sample
   * @param labels class labels, parallel to {@code files}
   * @param ids stable ids, parallel to {@code files}
   * @param decoder how {@link #image} decodes a file
   */
  public ImageFileSplit(List<Path> files, int[] labels, List<String> ids, ImageDecoder decoder) {
    this.files = List.copyOf(files);
    this.labels = labels.clone();
    this.ids = List.copyOf(ids);
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    if (this.labels.length != this.files.size() || this.ids.size() != this.files.size()) {
      throw new IllegalArgumentException(
          "files, labels and ids differ in length: "
              + this.files.size()
              + ", "
              + this.labels.length
              + ", "
              + this.ids.size());
    }
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public String id(int i) {
    return ids.get(i);
  }

  /** The file of image {@code i}. */
  public Path file(int i) {
    return files.get(i);
  }

  @Override
  public BufferedImage image(int i) throws IOException {
    return decoder.decode(files.get(i));
  }

  /** The images at {@code indices}, in that order, as another file split with the same decoder. */
  public ImageFileSplit subset(int[] indices) {
    List<Path> keptFiles = new ArrayList<>(indices.length);
    List<String> keptIds = new ArrayList<>(indices.length);
    int[] keptLabels = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      keptFiles.add(files.get(indices[k]));
      keptIds.add(ids.get(indices[k]));
      keptLabels[k] = labels[indices[k]];
    }
    return new ImageFileSplit(keptFiles, keptLabels, keptIds, decoder);
  }

  @Override
  public int[] labels() {
    return labels.clone();
  }

  /**
   * Checks every file at the given level, in parallel. When several files are bad, the one with the
   * lowest index is reported, so the message does not depend on thread timing.
   *
   * @throws DatasetException naming the first bad file
   */
  public void validate(Validation level) throws DatasetException {
    DatasetException[] problems = new DatasetException[files.size()];
    IntStream.range(0, files.size())
        .parallel()
        .forEach(
            i -> {
              try {
                check(files.get(i), level);
              } catch (DatasetException e) {
                problems[i] = e;
              }
            });
    for (DatasetException problem : problems) {
      if (problem != null) {
        throw problem;
      }
    }
  }

  private void check(Path file, Validation level) throws DatasetException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file, "listed image file is missing");
    }
    if (!Files.isReadable(file)) {
      throw new DatasetException(file, "listed image file is not readable");
    }
    switch (level) {
      case EXISTS -> {}
      case HEADERS -> checkHeader(file);
      case FULL -> {
        try {
          BufferedImage image = decoder.decode(file);
          if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
            throw new DatasetException(file, "decoded to an empty image");
          }
        } catch (DatasetException e) {
          throw e;
        } catch (IOException | RuntimeException e) {
          throw new DatasetException(file, "image cannot be decoded: " + e.getMessage(), e);
        }
      }
    }
  }

  /**
   * Reads only as far as the dimensions: enough to catch truncated downloads and HTML error pages.
   */
  static void checkHeader(Path file) throws DatasetException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new DatasetException(file, "cannot open image");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new DatasetException(file, "not a recognised image format");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width < 1 || height < 1) {
          throw new DatasetException(file, "image header gives size " + width + "x" + height);
        }
      } finally {
        reader.dispose();
      }
    } catch (DatasetException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new DatasetException(file, "corrupt image header: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "ImageFileSplit["
        + files.size()
        + " images, labels "
        + Arrays.stream(labels).distinct().count()
        + " distinct]";
  }
}
