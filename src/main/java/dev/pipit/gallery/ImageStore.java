package dev.pipit.gallery;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kept originals of gallery images, content-addressed ({@code <root>/ab/<sha-256>}) with a JPEG
 * thumbnail beside each ({@code <sha-256>.thumb.jpg}), so that the gallery can be re-encoded when
 * the model changes and search results can show what they found.
 *
 * <p>Each original is counted once however many items refer to it; it is deleted when the last one
 * goes. The store holds at most {@code maxBytes} (originals and thumbnails together): past that,
 * new originals are not kept and their items say so. Files are written to a temporary name, forced
 * to disk and renamed, so a crash leaves either the whole file or none; files no item refers to
 * after a restart are swept.
 */
public final class ImageStore {

  private static final Logger log = LoggerFactory.getLogger(ImageStore.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final String THUMBNAIL_SUFFIX = ".thumb.jpg";

  /** Longest side of a thumbnail, in pixels. */
  public static final int THUMBNAIL_SIZE = 160;

  private final Path root;
  private final long maxBytes;
  private final Map<String, Integer> references = new HashMap<>();
  private long usedBytes;
  private long refusals;

  private ImageStore(Path root, long maxBytes) {
    this.root = root;
    this.maxBytes = maxBytes;
  }

  /** Opens (or creates) the store under {@code root}, counting what it already holds. */
  public static ImageStore open(Path root, long maxBytes) throws IOException {
    Files.createDirectories(root);
    ImageStore store = new ImageStore(root, maxBytes);
    try (Stream<Path> files = Files.walk(root, 2)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (file.getFileName().toString().endsWith(DurableFiles.TMP_SUFFIX)) {
          Files.deleteIfExists(file); // a write a crash interrupted
        } else {
          store.usedBytes += Files.size(file);
        }
      }
    }
    return store;
  }

  /** Whether {@code sha256} is a well-formed name of a kept original (64 lower-case hex digits). */
  public static boolean isName(String sha256) {
    return sha256 != null && SHA256.matcher(sha256).matches();
  }

  /**
   * Keeps {@code original} (and a thumbnail of its decoded {@code image}) for one more item.
   *
   * @return its sha-256, or empty when the store is full
   * @throws ImageStoreException if the files could not be written (a disk fault): nothing was kept
   *     and nothing counted, so the caller can refuse this one item and go on with the others
   */
  public synchronized Optional<String> keep(byte[] original, BufferedImage image) {
    String sha = sha256(original);
    Integer count = references.get(sha);
    if (count == null && !Files.exists(originalPath(sha))) {
      byte[] thumbnail = thumbnail(image);
      if (usedBytes + original.length + thumbnail.length > maxBytes) {
        refusals++;
        return Optional.empty();
      }
      try {
        DurableFiles.replace(originalPath(sha), original);
        try {
          DurableFiles.replace(thumbnailPath(sha), thumbnail);
        } catch (IOException e) {
          // an original without its thumbnail is not kept: leave no half item behind
          Files.deleteIfExists(originalPath(sha));
          throw e;
        }
      } catch (IOException e) {
        throw new ImageStoreException("could not keep the original " + sha, e);
      }
      usedBytes += original.length + thumbnail.length;
    }
    references.merge(sha, 1, Integer::sum);
    return Optional.of(sha);
  }

  /**
   * Counts one more item referring to an original already on disk (rebuilding the counts at start).
   */
  public synchronized void retain(String sha256) {
    if (isName(sha256) && Files.exists(originalPath(sha256))) {
      references.merge(sha256, 1, Integer::sum);
    }
  }

  /** One item fewer refers to {@code sha256}; the last one deletes the files. */
  public synchronized void release(String sha256) {
    if (sha256 == null) {
      return;
    }
    Integer count = references.get(sha256);
    if (count == null) {
      return;
    }
    if (count > 1) {
      references.put(sha256, count - 1);
    } else {
      references.remove(sha256);
      delete(sha256);
    }
  }

  /**
   * Deletes every original no item refers to (after the counts were rebuilt with {@link #retain}).
   */
  public synchronized int sweep() throws IOException {
    Set<String> live = Set.copyOf(references.keySet());
    int swept = 0;
    try (Stream<Path> files = Files.walk(root, 2)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = file.getFileName().toString();
        if (isName(name) && !live.contains(name)) {
          delete(name);
          swept++;
        }
      }
    }
    if (swept > 0) {
      log.info("Image store: removed {} originals no gallery item refers to", swept);
    }
    return swept;
  }

  /** The original's file, if kept. */
  public Optional<Path> original(String sha256) {
    return isName(sha256) ? existing(originalPath(sha256)) : Optional.empty();
  }

  /** The thumbnail's file, if kept. */
  public Optional<Path> thumbnail(String sha256) {
    return isName(sha256) ? existing(thumbnailPath(sha256)) : Optional.empty();
  }

  /** Names of the originals on disk, least recently written first (a node's cache, at start). */
  public synchronized List<String> onDisk() throws IOException {
    List<Path> originals;
    try (Stream<Path> files = Files.walk(root, 2)) {
      originals =
          files.filter(f -> Files.isRegularFile(f) && isName(f.getFileName().toString())).toList();
    }
    Map<String, FileTime> written = new HashMap<>();
    for (Path file : originals) {
      written.put(file.getFileName().toString(), Files.getLastModifiedTime(file));
    }
    List<String> names = new ArrayList<>(written.keySet());
    names.sort(Comparator.comparing(written::get));
    return names;
  }

  /** Bytes on disk of an original and its thumbnail (0 when not kept). */
  public long bytesOf(String sha256) {
    long bytes = 0;
    for (Path file : new Path[] {originalPath(sha256), thumbnailPath(sha256)}) {
      try {
        bytes += Files.size(file);
      } catch (IOException gone) {
        // not kept (or deleted meanwhile): nothing on disk
      }
    }
    return bytes;
  }

  /** Originals not kept because they would have passed the cap, since start. */
  public synchronized long refusals() {
    return refusals;
  }

  /** Bytes on disk (originals and thumbnails). */
  public synchronized long usedBytes() {
    return usedBytes;
  }

  /** The most bytes the store holds. */
  public long maxBytes() {
    return maxBytes;
  }

  /** Distinct originals kept. */
  public synchronized int originals() {
    return references.size();
  }

  private static Optional<Path> existing(Path path) {
    return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
  }

  private Path originalPath(String sha) {
    return root.resolve(sha.substring(0, 2)).resolve(sha);
  }

  private Path thumbnailPath(String sha) {
    return root.resolve(sha.substring(0, 2)).resolve(sha + THUMBNAIL_SUFFIX);
  }

  private void delete(String sha) {
    for (Path file : new Path[] {originalPath(sha), thumbnailPath(sha)}) {
      try {
        long size = Files.exists(file) ? Files.size(file) : 0;
        if (Files.deleteIfExists(file)) {
          usedBytes -= size;
        }
      } catch (IOException e) {
        log.warn("Image store: could not delete {}: {}", file, e.toString());
      }
    }
  }

  static byte[] thumbnail(BufferedImage image) {
    double scale =
        Math.min(1.0, (double) THUMBNAIL_SIZE / Math.max(image.getWidth(), image.getHeight()));
    BufferedImage current = image;
    // Halving steps, then one bilinear step: a single bilinear step from a large image aliases
    // badly.
    while (current.getWidth() * scale < current.getWidth() / 2.0) {
      current =
          scaled(
              current, Math.max(1, current.getWidth() / 2), Math.max(1, current.getHeight() / 2));
      scale *= 2;
    }
    int width = Math.max(1, (int) Math.round(current.getWidth() * scale));
    int height = Math.max(1, (int) Math.round(current.getHeight() * scale));
    BufferedImage thumb = scaled(current, width, height);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(thumb, "jpg", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static BufferedImage scaled(BufferedImage image, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, width, height, null);
    g.dispose();
    return out;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
