package dev.pipit.train.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Caltech-UCSD list layout shared by CUB-200-2011 and NABirds. In {@code root}:
 *
 * <ul>
 *   <li>{@code images.txt}: {@code <image id> <path under images/>}, one line per image; its order
 *       is the order of the splits;
 *   <li>{@code image_class_labels.txt}: {@code <image id> <class id>};
 *   <li>{@code train_test_split.txt}: {@code <image id> <1 = train, 0 = test>};
 *   <li>{@code classes.txt}: {@code <class id> <class name>} (names may contain spaces);
 *   <li>{@code images/}: the image files.
 * </ul>
 *
 * <p>CUB numbers its 200 classes 1..200 and uses them all: label = class id − 1. NABirds' {@code
 * classes.txt} also lists the inner nodes of its taxonomy ({@code hierarchy.txt}: {@code <child>
 * <parent>}), and images carry only leaf ids: the labels are the distinct class ids that images
 * use, sorted by id and renumbered 0..n−1 (555 for the full dataset).
 */
final class CubStyleLayout {

  private CubStyleLayout() {}

  /** Loads CUB: class ids must be exactly 1..n, and each is used. */
  static Dataset cub(Path root, LoadOptions options) throws DatasetException {
    return load("cub200", root, options, false);
  }

  /** Loads NABirds: labels are the used (leaf) class ids, remapped densely. */
  static Dataset nabirds(Path root, LoadOptions options) throws DatasetException {
    return load("nabirds", root, options, true);
  }

  private static Dataset load(String name, Path root, LoadOptions options, boolean remapUsedClasses)
      throws DatasetException {
    ListFile.requireDirectory(root);
    Path imagesDir = ListFile.requireDirectory(root.resolve("images"));
    Path imagesList = root.resolve("images.txt");
    Path labelsList = root.resolve("image_class_labels.txt");
    Path splitList = root.resolve("train_test_split.txt");
    Path classesList = root.resolve("classes.txt");

    Map<String, Path> paths = new LinkedHashMap<>();
    for (ListFile.Line line : ListFile.read(imagesList)) {
      String[] f = line.fields(2);
      if (paths.put(f[0], Layouts.inside(imagesDir, f[1], line)) != null) {
        throw line.error("image id " + f[0] + " appears twice");
      }
    }
    Map<String, String> classIds = keyed(labelsList, paths);
    Map<String, String> isTrain = keyed(splitList, paths);

    Map<Integer, String> classNames = new HashMap<>();
    for (ListFile.Line line : ListFile.read(classesList)) {
      String[] f = line.fields(2);
      if (classNames.put(line.integer(f[0]), f[1]) != null) {
        throw line.error("class id " + f[0] + " appears twice");
      }
    }

    // Class id -> label.
    Map<Integer, Integer> labelOf = new HashMap<>();
    List<String> classes = new ArrayList<>();
    if (remapUsedClasses) {
      TreeSet<Integer> used = new TreeSet<>();
      for (ListFile.Line line : ListFile.read(labelsList)) {
        int id = line.integer(line.fields(2)[1]);
        if (!classNames.containsKey(id)) {
          throw line.error("class id " + id + " is not in " + classesList.getFileName());
        }
        used.add(id);
      }
      checkLeaves(root.resolve("hierarchy.txt"), used);
      for (int id : used) {
        labelOf.put(id, classes.size());
        classes.add(classNames.get(id));
      }
    } else {
      for (int id = 1; id <= classNames.size(); id++) {
        if (!classNames.containsKey(id)) {
          throw new DatasetException(
              classesList,
              "class ids must run 1.."
                  + classNames.size()
                  + " without gaps; "
                  + id
                  + " is missing");
        }
        labelOf.put(id, id - 1);
        classes.add(classNames.get(id));
      }
    }

    SplitBuilder train = new SplitBuilder();
    SplitBuilder test = new SplitBuilder();
    Map<String, ListFile.Line> labelLines = lines(labelsList);
    Map<String, ListFile.Line> splitLines = lines(splitList);
    for (Map.Entry<String, Path> image : paths.entrySet()) {
      String id = image.getKey();
      ListFile.Line labelLine = labelLines.get(id);
      int classId = labelLine.integer(classIds.get(id));
      Integer label = labelOf.get(classId);
      if (label == null) {
        throw labelLine.error("class id " + classId + " is outside 1.." + classes.size());
      }
      switch (isTrain.get(id)) {
        case "1" -> train.add(image.getValue(), label, id);
        case "0" -> test.add(image.getValue(), label, id);
        default ->
            throw splitLines
                .get(id)
                .error("split flag must be 1 (train) or 0 (test), got " + isTrain.get(id));
      }
    }
    return Layouts.finish(name, classes, train, splitList, test, splitList, options);
  }

  /** Reads a {@code <image id> <value>} list that must cover exactly the ids of images.txt. */
  private static Map<String, String> keyed(Path file, Map<String, Path> images)
      throws DatasetException {
    Map<String, String> values = new HashMap<>();
    for (ListFile.Line line : ListFile.read(file)) {
      String[] f = line.fields(2);
      if (!images.containsKey(f[0])) {
        throw line.error("image id " + f[0] + " is not in images.txt");
      }
      if (values.put(f[0], f[1]) != null) {
        throw line.error("image id " + f[0] + " appears twice");
      }
    }
    if (values.size() != images.size()) {
      String missing =
          images.keySet().stream().filter(id -> !values.containsKey(id)).findFirst().orElseThrow();
      throw new DatasetException(
          file,
          values.size()
              + " entries but images.txt has "
              + images.size()
              + "; image id "
              + missing
              + " is missing");
    }
    return values;
  }

  private static Map<String, ListFile.Line> lines(Path file) throws DatasetException {
    Map<String, ListFile.Line> byId = new HashMap<>();
    for (ListFile.Line line : ListFile.read(file)) {
      byId.put(line.fields(2)[0], line);
    }
    return byId;
  }

  /**
   * When the taxonomy is present, images must be labelled with leaves (ids that are no one's
   * parent).
   */
  private static void checkLeaves(Path hierarchy, Set<Integer> used) throws DatasetException {
    if (!Files.isRegularFile(hierarchy)) {
      return;
    }
    Set<Integer> parents = new HashSet<>();
    for (ListFile.Line line : ListFile.read(hierarchy)) {
      parents.add(line.integer(line.fields(2)[1]));
    }
    for (int id : used) {
      if (parents.contains(id)) {
        throw new DatasetException(
            hierarchy, "images are labelled with class " + id + ", which is not a leaf");
      }
    }
  }
}
