package dev.pipit.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Which dataset a command reads and how much of it ({@code pipit train}, {@code eval}, {@code
 * bench-retrieval}). The per-class sizes have no fixed default: unset means the command's protocol
 * (all images for train and eval; the results table's sizes for bench-retrieval).
 */
final class DatasetOptions {

  static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  @Option(
      names = "--dataset",
      defaultValue = "fashion-mnist",
      description =
          "fashion-mnist, image-folder, cub200, aircraft, food101, nabirds, vegfru (default:"
              + " ${DEFAULT-VALUE})")
  String dataset;

  @Option(
      names = "--data-root",
      description =
          "dataset directory (default for fashion-mnist: " + "/usr/share/datasets/fashion-mnist)")
  Path dataRoot;

  @Option(
      names = "--train-per-class",
      description = "database images per class (0 = all; default: the command's protocol)")
  Integer trainPerClass;

  @Option(
      names = "--test-per-class",
      description = "query images per class (0 = all; default: the command's protocol)")
  Integer testPerClass;

  /** The dataset directory: {@code --data-root}, else the standard place of the dataset. */
  Path root() {
    if (dataRoot != null) {
      return dataRoot;
    }
    if (dataset.equals("fashion-mnist")) {
      return FASHION_MNIST;
    }
    throw new IllegalArgumentException("--data-root is required for dataset " + dataset);
  }

  int trainPerClass(int protocol) {
    return trainPerClass != null ? trainPerClass : protocol;
  }

  int testPerClass(int protocol) {
    return testPerClass != null ? testPerClass : protocol;
  }
}
