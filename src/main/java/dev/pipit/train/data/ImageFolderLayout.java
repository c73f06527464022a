package dev.pipit.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A generic folder-per-class layout with an explicit split, for data sets without an official
 * loader.
 *
 * <pre>
 * root/
 *   split.txt
 *   &lt;class A&gt;/&lt;file&gt;.jpg
 *   &lt;class B&gt;/&lt;file&gt;.png
 * </pre>
 *
 * <p>Classes are the non-hidden sub-folders of {@code root}, sorted by name (as DJL's {@code
 * ImageFolder} does); label {@code i} is the {@code i}-th. {@code split.txt} has one line per
 * image: {@code <class>/<file> train} or {@code <class>/<file> test}; the path is relative to
 * {@code root} and may contain spaces (the split word is the last one on the line). Blank lines and
 * lines starting with {@code #} are ignored. Only listed files are used, so files can be excluded
 * by leaving them out. Every class must have at least one training image.
 */
final class ImageFolderLayout {

  /** The split file's name in the dataset root. */
  static final String SPLIT_FILE = "split.txt";

  private ImageFolderLayout() {}

  static Dataset load(Path root, LoadOptions options) throws DatasetException {
    ListFile.requireDirectory(root);
    List<String> classes = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .forEach(classes::add);
    } catch (IOException e) {
      throw new DatasetException(root, "cannot list class folders: " + e.getMessage(), e);
    }
    if (classes.isEmpty()) {
      throw new DatasetException(root, "has no class folders");
    }
    Map<String, Integer> labels = new HashMap<>();
    for (String c : classes) {
      labels.put(c, labels.size());
    }
    Path splitFile = root.resolve(SPLIT_FILE);
    SplitBuilder train = new SplitBuilder();
    SplitBuilder test = new SplitBuilder();
    for (ListFile.Line line : ListFile.read(splitFile)) {
      String text = line.text();
      int space = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\t'));
      if (space <= 0) {
        throw line.error("expected <class>/<file> train|test, got '" + text + "'");
      }
      String relative = text.substring(0, space).strip();
      String which = text.substring(space + 1);
      Path file = Layouts.inside(root, relative, line);
      Path rel = root.normalize().relativize(file);
      if (rel.getNameCount() < 2) {
        throw line.error("'" + relative + "' is not inside a class folder");
      }
      Integer label = labels.get(rel.getName(0).toString());
      if (label == null) {
        throw line.error("class folder '" + rel.getName(0) + "' does not exist");
      }
      switch (which) {
        case "train" -> train.add(file, label, rel.toString());
        case "test" -> test.add(file, label, rel.toString());
        default -> throw line.error("split must be 'train' or 'test', got '" + which + "'");
      }
    }
    return Layouts.finish(
        root.getFileName().toString(), classes, train, splitFile, test, splitFile, options);
  }
}
