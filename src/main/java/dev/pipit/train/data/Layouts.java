package dev.pipit.train.data;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** The steps every file-layout loader shares after parsing its lists. */
final class Layouts {

  private Layouts() {}

  /**
   * Builds the dataset: every class must have a training image (reported against {@code
   * trainList}), subsets are taken, and the kept files are validated before anything is returned.
   */
  static Dataset finish(
      String name,
      List<String> classes,
      SplitBuilder train,
      Path trainList,
      SplitBuilder test,
      Path testList,
      LoadOptions options)
      throws DatasetException {
    ImageFileSplit trainSplit = train.build(options.decoder());
    ImageFileSplit testSplit = test.build(options.decoder());
    if (trainSplit.size() == 0) {
      throw new DatasetException(trainList, "lists no training images");
    }
    if (testSplit.size() == 0) {
      throw new DatasetException(testList, "lists no test images");
    }
    int[] perClass = new int[classes.size()];
    for (int i = 0; i < trainSplit.size(); i++) {
      perClass[trainSplit.label(i)]++;
    }
    for (int c = 0; c < perClass.length; c++) {
      if (perClass[c] == 0) {
        throw new DatasetException(
            trainList, "class " + c + " (" + classes.get(c) + ") has no training images");
      }
    }
    ImageFileSplit keptTrain = subset(trainSplit, options.trainPerClass());
    ImageFileSplit keptTest = subset(testSplit, options.testPerClass());
    // Only the files that will be used are checked: a CPU subset of Food-101 should not open 100k
    // files.
    keptTrain.validate(options.validation());
    keptTest.validate(options.validation());
    return new Dataset(name, classes, keptTrain, keptTest);
  }

  private static ImageFileSplit subset(ImageFileSplit split, int perClass) {
    return perClass <= 0 ? split : split.subset(Subsets.firstPerClassIndices(split, perClass));
  }

  /** Requires a label in {@code 0..classes-1}. */
  static int checkLabel(ListFile.Line line, int label, int classes) throws DatasetException {
    if (label < 0 || label >= classes) {
      throw line.error("label " + label + " is outside 0.." + (classes - 1));
    }
    return label;
  }

  /**
   * Resolves a path from a list file against {@code base}, refusing absolute paths and ones that
   * climb out of {@code base} with {@code ..}.
   */
  static Path inside(Path base, String relative, ListFile.Line line) throws DatasetException {
    Path rel;
    try {
      rel = base.getFileSystem().getPath(relative);
    } catch (InvalidPathException e) {
      throw line.error("'" + relative + "' is not a valid path");
    }
    Path resolved = base.resolve(rel).normalize();
    if (rel.isAbsolute() || !resolved.startsWith(base.normalize())) {
      throw line.error("path '" + relative + "' points outside " + base);
    }
    return resolved;
  }
}
