package dev.pipit.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code manifest.json} of a model artifact directory: what the network is, how to feed it,
 * where it came from, and the sha256 of every file it needs. Example:
 *
 * <pre>{@code
 * {
 *   "format": 1,
 *   "name": "agmh-fmnist-48",
 *   "architecture": "agmh",
 *   "bits": 48,
 *   "input": {"channels": 3, "height": 224, "width": 224},
 *   "preprocessing": {"resizeMode": "square", "resize": 224, "crop": 224, "normalization": "caffe-bgr",
 *                     "resampling": "area"},
 *   "classes": ["T-shirt/top", "Trouser"],
 *   "weights": "weights.params",
 *   "files": {"weights.params": "9f86d08..."},
 *   "provenance": {"dataset": "fashion-mnist", "metrics": {"map": 0.91}, "created": "2026-11-23T02:00:00Z",
 *                  "gitRevision": "c616c04", "settings": {"epochs": "3"}}
 * }
 * }</pre>
 *
 * @param format manifest format version ({@link #FORMAT})
 * @param name model name, also its directory name
 * @param architecture one of {@link #ARCHITECTURES}
 * @param bits code length
 * @param input network input shape
 * @param preprocessing how images become that input
 * @param classes class names of the training labels, in label order (may be empty)
 * @param weights the file holding the parameters, relative to the artifact directory
 * @param files sha256 (lowercase hex) of every file of the artifact but the manifest, by relative
 *     path
 * @param provenance where the weights came from
 */
public record ModelManifest(
    int format,
    String name,
    String architecture,
    int bits,
    Input input,
    Preprocessing preprocessing,
    List<String> classes,
    String weights,
    Map<String, String> files,
    Provenance provenance) {

  /** The manifest format this code reads and writes. */
  public static final int FORMAT = 1;

  /**
   * Architectures pipit can load: its own networks, classical baselines, and TorchScript modules.
   */
  public static final Set<String> ARCHITECTURES =
      Set.of("agmh", "fcaenet", "adsh-r50", "lsh", "itq", "torchscript");

  /**
   * Network input.
   *
   * @param channels colour channels (3)
   * @param height input height in pixels
   * @param width input width in pixels
   */
  public record Input(int channels, int height, int width) {

    /** Floats per preprocessed image. */
    public int length() {
      return channels * height * width;
    }
  }

  /**
   * Image preprocessing, shared by training, evaluation and serving (the encode package's {@code
   * Preprocessing} in text form).
   *
   * @param resizeMode {@code shorter-side} (aspect kept) or {@code square} (whole image)
   * @param resize target size of the resize
   * @param crop centre crop to {@code crop × crop}, the network input
   * @param normalization {@code caffe-bgr} (RGB→BGR, subtract ImageNet BGR means, no scaling: the
   *     Keras ResNet-50) or {@code imagenet-rgb} (scale to [0,1], torchvision mean/std)
   * @param resampling {@code bilinear}, {@code bilinear-antialias} or {@code area}
   */
  public record Preprocessing(
      String resizeMode, int resize, int crop, String normalization, String resampling) {}

  /**
   * Where the weights came from.
   *
   * @param dataset training dataset name
   * @param metrics evaluation results, e.g. {@code map → 0.91}
   * @param created ISO-8601 instant the artifact was written
   * @param gitRevision pipit revision that produced it
   * @param settings training settings worth reproducing (method, epochs, seed, …)
   */
  public record Provenance(
      String dataset,
      Map<String, Double> metrics,
      String created,
      String gitRevision,
      Map<String, String> settings) {}
}
