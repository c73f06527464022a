package dev.pipit.gallery;

import dev.pipit.index.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the gallery's labelled items that have a kept original as an image-folder dataset ({@code
 * <class>/<sha-256>} files plus {@code split.txt}), so a training job can learn from the gallery
 * itself. Files are hard links to the kept originals where the file system allows, copies
 * otherwise. Within each label, items sorted by id go to the test split every {@code testEvery}-th;
 * a label with fewer items but at least two gives its last one, and a label with one item keeps it
 * for training.
 */
public final class GalleryDatasetExport {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private final ActiveModel active;
  private final ImageStore store;
  private final GalleryCodec codec;
  private final int testEvery;

  /**
   * @param testEvery one image in this many goes to the test split (queries of the job's
   *     evaluation)
   */
  public GalleryDatasetExport(
      ActiveModel active, ImageStore store, GalleryCodec codec, int testEvery) {
    this.active = active;
    this.store = store;
    this.codec = codec;
    this.testEvery = testEvery;
  }

  /**
   * Exports the current gallery into a new directory under {@code datasetsDir}.
   *
   * @return the dataset root
   * @throws IllegalArgumentException if fewer than two labels have kept originals
   */
  public Path export(Path datasetsDir) throws IOException {
    ServingModel model = active.require();
    Map<String, List<Entry>> byLabel = new TreeMap<>();
    model
        .index()
        .forEach(
            entry -> {
              GalleryPayload payload = codec.read(entry.payload());
              if (payload.label() != null
                  && !payload.label().isBlank()
                  && store.original(payload.image()).isPresent()) {
                byLabel.computeIfAbsent(payload.label(), l -> new ArrayList<>()).add(entry);
              }
            });
    if (byLabel.size() < 2 || byLabel.values().stream().allMatch(items -> items.size() < 2)) {
      throw new IllegalArgumentException(
          "training on the gallery needs labelled items with kept originals in at least two labels,"
              + " one of them with two or more items (for the evaluation's queries); it has "
              + byLabel.size()
              + " labels");
    }
    Path root = datasetsDir.resolve("gallery-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)));
    Files.createDirectories(root);
    List<String> split = new ArrayList<>();
    Map<String, Integer> folders = new TreeMap<>();
    for (Map.Entry<String, List<Entry>> label : byLabel.entrySet()) {
      String folder = folderName(label.getKey(), folders);
      Files.createDirectories(root.resolve(folder));
      List<Entry> items = label.getValue();
      items.sort((a, b) -> a.id().compareTo(b.id()));
      for (int i = 0; i < items.size(); i++) {
        String sha = codec.read(items.get(i).payload()).image();
        Path target = root.resolve(folder).resolve(sha);
        if (!Files.exists(target)) {
          link(store.original(sha).orElseThrow(), target);
        }
        split.add(folder + "/" + sha + (isTest(i, items.size()) ? " test" : " train"));
      }
    }
    Files.write(root.resolve("split.txt"), split);
    return root;
  }

  private boolean isTest(int i, int n) {
    return n < testEvery ? n >= 2 && i == n - 1 : (i + 1) % testEvery == 0;
  }

  /** A file-system-safe, unique folder per label (labels are free text). */
  private static String folderName(String label, Map<String, Integer> used) {
    String base = label.replaceAll("[^A-Za-z0-9._-]+", "_");
    if (base.isEmpty() || base.startsWith(".")) {
      base = "label" + base;
    }
    int n = used.merge(base, 1, Integer::sum);
    return n == 1 ? base : base + "-" + n;
  }

  private static void link(Path original, Path target) throws IOException {
    try {
      Files.createLink(target, original);
    } catch (IOException | UnsupportedOperationException noHardLinks) {
      // Another file system than the originals', or one without hard links: a copy serves the same.
      Files.copy(original, target);
    }
  }
}
