package dev.pipit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads a user's torchvision ResNet-50 ({@code torchvision.models.resnet50}, v1.5) into pipit's
 * {@link ResNet50.Style#TORCHVISION_V15} backbone, from either file a PyTorch user has at hand:
 *
 * <ul>
 *   <li>a safetensors file of its {@code state_dict()} ({@code safetensors.torch.save_file});
 *   <li>a TorchScript export ({@code torch.jit.save} of a traced or scripted model), read without
 *       the engine by {@link TorchScriptArchive}.
 * </ul>
 *
 * <p>Keys are torchvision's ({@code conv1.weight}, {@code bn1.running_var}, {@code
 * layer1.0.conv1.weight}, …, {@code layer4.2.bn3.*}); the classifier ({@code fc.*}) and BN's
 * integer {@code num_batches_tracked} are ignored. Everything else is strict: a missing or unknown
 * tensor, or a shape that differs, is refused naming the tensor, and nothing is copied.
 */
public final class TorchvisionResNet50Importer {

  /** The classifier head a backbone does not use. */
  private static final String CLASSIFIER = "fc.";

  /**
   * What was imported.
   *
   * @param tensors tensors copied into the backbone
   * @param ignored tensors of the file left out ({@code fc.*}, {@code num_batches_tracked})
   */
  public record Report(int tensors, List<String> ignored) {}

  private TorchvisionResNet50Importer() {}

  /**
   * Copies the weights of {@code file} into {@code backbone} (initialised, any input size).
   *
   * @throws ModelArtifactException if the file is neither format, the backbone is not in the
   *     torchvision layout, or a tensor is missing, unknown or mis-shaped
   */
  public static Report importBackbone(Path file, ResNet50 backbone) throws IOException {
    if (backbone.style() != ResNet50.Style.TORCHVISION_V15) {
      throw new IllegalArgumentException(
          "a torchvision state dict loads into a torchvision-layout backbone, not "
              + backbone.style());
    }
    List<String> ignored = new ArrayList<>();
    Map<String, Safetensors.Tensor> used = backboneTensors(file, ignored);
    Map<String, Parameter> targets = TorchParameterNames.ofBackbone(backbone);
    check(file, used, targets);
    for (Map.Entry<String, Parameter> entry : targets.entrySet()) {
      entry.getValue().getArray().set(used.get(entry.getKey()).data());
    }
    return new Report(targets.size(), List.copyOf(ignored));
  }

  /**
   * Checks, without a network to import into, that {@code file} would import: a readable
   * safetensors or TorchScript file holding every tensor of a torchvision ResNet-50 backbone with
   * its shape, and nothing else but the classifier (what a service checks before it queues a job).
   *
   * @throws ModelArtifactException naming what does not fit, as {@link #importBackbone}
   */
  public static void verify(Path file) throws IOException {
    Map<String, Safetensors.Tensor> used = backboneTensors(file, new ArrayList<>());
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      ResNet50 shapes = ResNet50.builder().optStyle(ResNet50.Style.TORCHVISION_V15).build();
      shapes.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT); // nothing random drawn
      shapes.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
      check(file, used, TorchParameterNames.ofBackbone(shapes));
    }
  }

  /** The file's tensors but the classifier's (added to {@code ignored}). */
  private static Map<String, Safetensors.Tensor> backboneTensors(Path file, List<String> ignored)
      throws IOException {
    Map<String, Safetensors.Tensor> used = new LinkedHashMap<>();
    read(file, ignored)
        .forEach(
            (name, t) -> {
              if (name.startsWith(CLASSIFIER)) {
                ignored.add(name);
              } else {
                used.put(name, t);
              }
            });
    return used;
  }

  /** The file's float tensors: TorchScript (a zip) or safetensors, told apart by content. */
  static Map<String, Safetensors.Tensor> read(Path file, List<String> skipped) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelArtifactException(
          "torchvision backbone weights " + file + " do not exist or are not a file");
    }
    if (isZip(file)) {
      TorchScriptArchive.Contents contents = TorchScriptArchive.read(file);
      skipped.addAll(contents.skipped());
      return contents.tensors();
    }
    try {
      return Safetensors.read(file, skipped);
    } catch (IOException | RuntimeException e) {
      throw new ModelArtifactException(
          file
              + " is neither a TorchScript archive nor a safetensors file of a torchvision"
              + " ResNet-50: "
              + e.getMessage(),
          e);
    }
  }

  private static boolean isZip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(4);
      return Arrays.equals(magic, new byte[] {'P', 'K', 3, 4});
    }
  }

  /** Refuses the file before anything is copied, naming the first offending tensor. */
  private static void check(
      Path file, Map<String, Safetensors.Tensor> sources, Map<String, Parameter> targets) {
    TreeSet<String> missing = new TreeSet<>(targets.keySet());
    missing.removeAll(sources.keySet());
    if (!missing.isEmpty()) {
      throw new ModelArtifactException(
          missing.size()
              + " tensors of a torchvision ResNet-50 are missing from "
              + file
              + ", e.g. "
              + missing.first()
              + (sources.keySet().stream().anyMatch(k -> k.endsWith("." + missing.first()))
                  ? " (the file's names carry a prefix; save the ResNet's own state_dict)"
                  : ""));
    }
    TreeSet<String> unknown = new TreeSet<>(sources.keySet());
    unknown.removeAll(targets.keySet());
    if (!unknown.isEmpty()) {
      throw new ModelArtifactException(
          unknown.size()
              + " tensors of "
              + file
              + " are not part of a torchvision ResNet-50 backbone, e.g. "
              + unknown.first());
    }
    for (Map.Entry<String, Parameter> entry : targets.entrySet()) {
      long[] expected = entry.getValue().getArray().getShape().getShape();
      long[] actual = sources.get(entry.getKey()).shape();
      if (!Arrays.equals(expected, actual)) {
        throw new ModelArtifactException(
            entry.getKey()
                + " has shape "
                + Arrays.toString(actual)
                + " in "
                + file
                + " but "
                + Arrays.toString(expected)
                + " in a torchvision ResNet-50");
      }
    }
  }
}
