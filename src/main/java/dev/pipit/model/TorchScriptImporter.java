package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Maps a TorchScript module's tensors onto a pipit network by state-dict name ({@link
 * TorchParameterNames}), so that a model trained with the official PyTorch code can be fine-tuned
 * by pipit. Strict, like the Keras importer: every network parameter must be set, every float
 * tensor of the archive used, and every shape must agree.
 */
public final class TorchScriptImporter {

  /**
   * What was imported.
   *
   * @param tensors tensors copied
   * @param skipped non-float tensors of the archive that have no pipit counterpart ({@code
   *     num_batches_tracked})
   */
  public record Report(int tensors, List<String> skipped) {}

  private TorchScriptImporter() {}

  /** The backbone layout of an archive: conv biases mean the Keras (Caffe) layout. */
  public static ResNet50.Style styleOf(TorchScriptArchive.Contents contents) {
    return contents.tensors().containsKey("backbone.conv1.bias")
        ? ResNet50.Style.KERAS_V1
        : ResNet50.Style.TORCHVISION_V15;
  }

  /**
   * Copies the archive's tensors into {@code network} (initialised, any input size).
   *
   * @throws ModelArtifactException naming the first missing, unused or mis-shaped tensor
   */
  public static Report importInto(Path archive, HashingNetwork network) throws IOException {
    return importInto(TorchScriptArchive.read(archive), network);
  }

  /** As {@link #importInto(Path, HashingNetwork)}, from already read contents. */
  public static Report importInto(TorchScriptArchive.Contents contents, HashingNetwork network) {
    Map<String, Parameter> targets = TorchParameterNames.of(network);
    Map<String, ?> sources = contents.tensors();
    TreeSet<String> missing = new TreeSet<>(targets.keySet());
    missing.removeAll(sources.keySet());
    if (!missing.isEmpty()) {
      throw new ModelArtifactException(
          missing.size()
              + " parameters of the "
              + network.architecture().id()
              + " network are not in the archive, e.g. "
              + missing.first());
    }
    TreeSet<String> unused = new TreeSet<>(sources.keySet());
    unused.removeAll(targets.keySet());
    if (!unused.isEmpty()) {
      throw new ModelArtifactException(
          unused.size()
              + " tensors of the archive have no place in the "
              + network.architecture().id()
              + " network, e.g. "
              + unused.first());
    }
    for (Map.Entry<String, Parameter> entry : targets.entrySet()) {
      Safetensors.Tensor tensor = contents.tensors().get(entry.getKey());
      NDArray target = entry.getValue().getArray();
      if (!Arrays.equals(target.getShape().getShape(), tensor.shape())) {
        throw new ModelArtifactException(
            entry.getKey()
                + " has shape "
                + Arrays.toString(tensor.shape())
                + " in the archive but "
                + target.getShape()
                + " in the network");
      }
      target.set(tensor.data());
    }
    return new Report(targets.size(), new ArrayList<>(contents.skipped()));
  }
}
