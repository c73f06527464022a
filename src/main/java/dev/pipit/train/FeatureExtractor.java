package dev.pipit.train;

import ai.djl.ndarray.NDArray;
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
 * Runs the frozen part of the backbone over dataset images once, in batches, and keeps the feature
 * maps at a {@link FeatureCut}: the whole backbone's output ({@link BackboneMode#FROZEN}) or stage
 * 3's ({@link BackboneMode#LAST_STAGE}). With SREM it also computes the maps of each image's erased
 * copy: the erase mask comes from the ImageNet backbone's last feature map, which never changes, so
 * it is computed once too.
 */
public final class FeatureExtractor {

  /** Maps of the images and, when SREM is on, of their erased copies (else null). */
  public record Extracted(FeatureMaps plain, FeatureMaps erased) {}

  private final ResNet50 backbone;
  private final ImagePreprocessor preprocessor;
  private final NDManager manager;
  private final int batchSize;
  private final FeatureCut cut;

  /** An extractor of the whole backbone's output ({@link FeatureCut#STAGE4}). */
  public FeatureExtractor(
      ResNet50 backbone, ImagePreprocessor preprocessor, NDManager manager, int batchSize) {
    this(backbone, preprocessor, manager, batchSize, FeatureCut.STAGE4);
  }

  /**
   * @param backbone initialised backbone (its parameters are only read)
   * @param preprocessor turns images into network input
   * @param manager parent manager on the training device
   * @param batchSize images per forward pass
   * @param cut where the kept maps are taken
   */
  public FeatureExtractor(
      ResNet50 backbone,
      ImagePreprocessor preprocessor,
      NDManager manager,
      int batchSize,
      FeatureCut cut) {
    this.backbone = backbone;
    this.preprocessor = preprocessor;
    this.manager = manager;
    this.batchSize = batchSize;
    this.cut = cut;
  }

  /**
   * @param split the images
   * @param indices which images of the split, in output order
   * @param erasing SREM settings, or null for no erased copies
   * @param progress told the number of images done after every batch
   */
  public Extracted extract(
      DatasetSplit split, int[] indices, SelectiveRegionErasing erasing, LongConsumer progress)
      throws IOException {
    int side = preprocessor.spec().crop();
    int featureSide = cut.side(side);
    int length = cut.channels() * featureSide * featureSide;
    int lastSide = (int) ResNet50.outSize(side);
    int lastLength = ResNet50.FEATURES * lastSide * lastSide;
    float[] plain = new float[Math.multiplyExact(indices.length, length)];
    float[] erased = erasing == null ? null : new float[plain.length];
    for (int start = 0; start < indices.length; start += batchSize) {
      int end = Math.min(indices.length, start + batchSize);
      List<float[]> inputs = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        inputs.add(preprocessor.apply(split.image(indices[i])));
      }
      try (NDManager scope = manager.newSubManager()) {
        ParameterStore ps = new ParameterStore(scope, false);
        NDArray maps = cut.forward(backbone, ps, preprocessor.stack(inputs, scope));
        System.arraycopy(maps.toFloatArray(), 0, plain, start * length, (end - start) * length);
        if (erasing != null) {
          // SREM's attention is the last feature map; from stage-3 maps it takes stage 4 (the
          // ImageNet one).
          float[] last =
              (cut == FeatureCut.STAGE4 ? maps : backbone.forwardStage4(ps, maps, false))
                  .toFloatArray();
          for (int b = 0; b < inputs.size(); b++) {
            float[] mask =
                erasing.mask(
                    last, b * lastLength, ResNet50.FEATURES, lastSide, lastSide, side, side);
            SelectiveRegionErasing.apply(inputs.get(b), 3, mask);
          }
          float[] erasedMaps =
              cut.forward(backbone, ps, preprocessor.stack(inputs, scope)).toFloatArray();
          System.arraycopy(erasedMaps, 0, erased, start * length, erasedMaps.length);
        }
      }
      progress.accept(end);
    }
    return new Extracted(
        new FeatureMaps(plain, indices.length, cut.channels(), featureSide, featureSide),
        erased == null
            ? null
            : new FeatureMaps(erased, indices.length, cut.channels(), featureSide, featureSide));
  }
}
