package dev.pipit.train.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Food-101. In {@code root} (the {@code food-101} folder): {@code meta/classes.txt} (one class per
 * line, line order gives the labels), {@code meta/train.txt} and {@code meta/test.txt} ({@code
 * <class>/<image id>}, no extension; 75,750 and 25,250 lines), and {@code images/<class>/<image
 * id>.jpg}.
 */
final class Food101Layout {

  private Food101Layout() {}

  static Dataset load(Path root, LoadOptions options) throws DatasetException {
    ListFile.requireDirectory(root);
    Path meta = ListFile.requireDirectory(root.resolve("meta"));
    Path images = ListFile.requireDirectory(root.resolve("images"));
    List<String> classes = new ArrayList<>();
    Map<String, Integer> labels = new HashMap<>();
    for (ListFile.Line line : ListFile.read(meta.resolve("classes.txt"))) {
      if (labels.put(line.text(), classes.size()) != null) {
        throw line.error("class '" + line.text() + "' appears twice");
      }
      classes.add(line.text());
    }
    Path trainList = meta.resolve("train.txt");
    Path testList = meta.resolve("test.txt");
    return Layouts.finish(
        "food101",
        classes,
        split(trainList, images, labels),
        trainList,
        split(testList, images, labels),
        testList,
        options);
  }

  private static SplitBuilder split(Path list, Path images, Map<String, Integer> labels)
      throws DatasetException {
    SplitBuilder split = new SplitBuilder();
    for (ListFile.Line line : ListFile.read(list)) {
      String entry = line.text();
      int slash = entry.indexOf('/');
      if (slash <= 0 || slash == entry.length() - 1) {
        throw line.error("expected <class>/<image id>, got '" + entry + "'");
      }
      Integer label = labels.get(entry.substring(0, slash));
      if (label == null) {
        throw line.error("class '" + entry.substring(0, slash) + "' is not in classes.txt");
      }
      split.add(Layouts.inside(images, entry + ".jpg", line), label, entry);
    }
    return split;
  }
}
