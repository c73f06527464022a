package dev.pipit.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loads a dataset by kind name. Everything that can be checked before training is checked here:
 * list files, their consistency, label ranges, classes without images, and (per {@link Validation})
 * the image files themselves. A {@link DatasetException} names the offending file.
 *
 * <table>
 *   <caption>Kinds</caption>
 *   <tr><th>kind</th><th>root</th></tr>
 *   <tr><td>{@code fashion-mnist}</td><td>folder with the four IDX files, see {@link FashionMnist}</td></tr>
 *   <tr><td>{@code image-folder}</td><td>{@code <class>/<file>} folders plus {@code split.txt}</td></tr>
 *   <tr><td>{@code cub200}</td><td>{@code CUB_200_2011/}</td></tr>
 *   <tr><td>{@code aircraft}</td><td>{@code fgvc-aircraft-2013b/} (or its {@code data/})</td></tr>
 *   <tr><td>{@code food101}</td><td>{@code food-101/}</td></tr>
 *   <tr><td>{@code nabirds}</td><td>{@code nabirds/}</td></tr>
 *   <tr><td>{@code vegfru}</td><td>the folder holding {@code vegfru_list/}</td></tr>
 * </table>
 */
public final class DatasetLoader {

  /** The kind names {@link #load} accepts. */
  public static final List<String> KINDS =
      List.of(
          "fashion-mnist", "image-folder", "cub200", "aircraft", "food101", "nabirds", "vegfru");

  private DatasetLoader() {}

  /** Loads with {@link LoadOptions#defaults()}. */
  public static Dataset load(String kind, Path root) throws IOException {
    return load(kind, root, LoadOptions.defaults());
  }

  /**
   * Loads a dataset.
   *
   * @param kind one of {@link #KINDS} (case-insensitive)
   * @param root the dataset's folder
   * @param options validation, decoder and subset sizes (Fashion-MNIST, being in memory, uses only
   *     the subset sizes)
   * @throws DatasetException if the dataset is missing or malformed
   * @throws IllegalArgumentException for an unknown kind
   */
  public static Dataset load(String kind, Path root, LoadOptions options) throws IOException {
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case "fashion-mnist" ->
          FashionMnist.load(root, options.trainPerClass(), options.testPerClass());
      case "image-folder" -> ImageFolderLayout.load(root, options);
      case "cub200" -> CubStyleLayout.cub(root, options);
      case "aircraft" -> AircraftLayout.load(root, options);
      case "food101" -> Food101Layout.load(root, options);
      case "nabirds" -> CubStyleLayout.nabirds(root, options);
      case "vegfru" -> VegFruLayout.load(root, options);
      default ->
          throw new IllegalArgumentException(
              "unknown dataset kind '" + kind + "'; expected one of " + KINDS);
    };
  }
}
