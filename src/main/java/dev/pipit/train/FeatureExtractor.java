package dev.pipit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.model.ResNet50;
import dev.pipit.train.data.DatasetSplit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Runs a frozen backbone over dataset images once, in batches, and keeps the feature maps
 * ({@link BackboneMode#FROZEN}). With SREM it also computes the maps of each image's erased copy: with
 * the backbone fixed, the attention map and hence the erase mask of an image never change, so they are
 * computed once too.
 */
public final class FeatureExtractor {

  /** Maps of the images and, when SREM is on, of their erased copies (else null). */
  public record Extracted(FeatureMaps plain, FeatureMaps erased) {}

  private final ResNet50 backbone;
  private final ImagePreprocessor preprocessor;
  private final NDManager manager;
  private final int batchSize;

  /**
   * @param backbone initialised backbone (its parameters are only read)
   * @param preprocessor turns images into network input
   * @param manager parent manager on the training device
   * @param batchSize images per forward pass
   */
  public FeatureExtractor(ResNet50 backbone, ImagePreprocessor preprocessor, NDManager manager, int batchSize) {
    this.backbone = backbone;
    this.preprocessor = preprocessor;
    this.manager = manager;
    this.batchSize = batchSize;
  }

  /**
   * @param split the images
   * @param indices which images of the split, in output order
   * @param erasing SREM settings, or null for no erased copies
   * @param progress told the number of images done after every batch
   */
  public Extracted extract(DatasetSplit split, int[] indices, SelectiveRegionErasing erasing, LongConsumer progress)
      throws IOException {
    int side = preprocessor.spec().crop();
    long featureSide = ResNet50.outSize(side);
    int length = (int) (ResNet50.FEATURES * featureSide * featureSide);
    float[] plain = new float[Math.multiplyExact(indices.length, length)];
    float[] erased = erasing == null ? null : new float[plain.length];
    for (int start = 0; start < indices.length; start += batchSize) {
      int end = Math.min(indices.length, start + batchSize);
      List<float[]> inputs = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        inputs.add(preprocessor.apply(split.image(indices[i])));
      }
      try (NDManager scope = manager.newSubManager()) {
        float[] maps = forward(scope, inputs);
        System.arraycopy(maps, 0, plain, start * length, maps.length);
        if (erasing != null) {
          for (int b = 0; b < inputs.size(); b++) {
            float[] mask =
                erasing.mask(maps, b * length, ResNet50.FEATURES, (int) featureSide, (int) featureSide, side, side);
            SelectiveRegionErasing.apply(inputs.get(b), 3, mask);
          }
          float[] erasedMaps = forward(scope, inputs);
          System.arraycopy(erasedMaps, 0, erased, start * length, erasedMaps.length);
        }
      }
      progress.accept(end);
    }
    int s = (int) featureSide;
    return new Extracted(
        new FeatureMaps(plain, indices.length, ResNet50.FEATURES, s, s),
        erased == null ? null : new FeatureMaps(erased, indices.length, ResNet50.FEATURES, s, s));
  }

  private float[] forward(NDManager scope, List<float[]> inputs) {
    NDArray x = preprocessor.stack(inputs, scope);
    return backbone.forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow().toFloatArray();
  }
}
