package dev.pipit.train.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * VegFru (200 vegetable + 92 fruit classes). In {@code root}: {@code vegfru_list/vegfru_train.txt}
 * and {@code vegfru_list/vegfru_test.txt}, lines {@code <path relative to root> <label>} with
 * labels 0..291, and the images they name (e.g. {@code veg200_images/<class>/<file>.jpg}). Train
 * has 29,200 images (100 per class); the validation list is not used, as in the hashing papers.
 *
 * <p>The lists carry no class names, so a class is named after the folder of its images; every
 * image of a label must sit in the same folder, and labels must run 0..n−1 without gaps.
 */
final class VegFruLayout {

  private VegFruLayout() {}

  static Dataset load(Path root, LoadOptions options) throws DatasetException {
    ListFile.requireDirectory(root);
    Path lists = ListFile.requireDirectory(root.resolve("vegfru_list"));
    Path trainList = lists.resolve("vegfru_train.txt");
    Path testList = lists.resolve("vegfru_test.txt");
    List<ListFile.Line> trainLines = ListFile.read(trainList);
    List<ListFile.Line> testLines = ListFile.read(testList);
    int max = -1;
    for (ListFile.Line line : trainLines) {
      max = Math.max(max, label(line));
    }
    String[] names = new String[max + 1];
    SplitBuilder train = split(root, trainLines, names, true);
    SplitBuilder test = split(root, testLines, names, false);
    for (int c = 0; c < names.length; c++) {
      if (names[c] == null) {
        throw new DatasetException(trainList, "class " + c + " has no training images");
      }
    }
    List<String> classes = new ArrayList<>(Arrays.asList(names));
    return Layouts.finish("vegfru", classes, train, trainList, test, testList, options);
  }

  private static SplitBuilder split(
      Path root, List<ListFile.Line> lines, String[] names, boolean train) throws DatasetException {
    SplitBuilder split = new SplitBuilder();
    for (ListFile.Line line : lines) {
      String[] f = splitAtLastSpace(line);
      int label = Layouts.checkLabel(line, line.integer(f[1]), names.length);
      Path file = Layouts.inside(root, f[0], line);
      Path folder = file.getParent();
      String folderName =
          folder == null || folder.equals(root.normalize()) ? "" : folder.getFileName().toString();
      if (names[label] == null && train) {
        names[label] = folderName;
      } else if (names[label] != null && !names[label].equals(folderName)) {
        throw line.error(
            "label "
                + label
                + " is used for folder '"
                + names[label]
                + "' elsewhere, here for '"
                + folderName
                + "'");
      }
      split.add(file, label, f[0]);
    }
    return split;
  }

  private static int label(ListFile.Line line) throws DatasetException {
    int label = line.integer(splitAtLastSpace(line)[1]);
    if (label < 0) {
      throw line.error("label " + label + " is negative");
    }
    return label;
  }

  private static String[] splitAtLastSpace(ListFile.Line line) throws DatasetException {
    String text = line.text();
    int space = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\t'));
    if (space <= 0) {
      throw line.error("expected <path> <label>, got '" + text + "'");
    }
    return new String[] {text.substring(0, space).strip(), text.substring(space + 1)};
  }
}
