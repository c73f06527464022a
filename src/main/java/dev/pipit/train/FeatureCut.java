package dev.pipit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.pipit.model.ResNet50;

/** The backbone output a trainer caches: after stage 4 (the whole backbone) or after stage 3. */
public enum FeatureCut {
  /** The backbone's output, (2048, H/32, W/32). */
  STAGE4(ResNet50.FEATURES, ""),
  /** Stage 3's output, (1024, H/16, W/16), the input of conv5_x. */
  STAGE3(ResNet50.STAGE3_FEATURES, "-stage3");

  private final int channels;
  private final String cacheSuffix;

  FeatureCut(int channels, String cacheSuffix) {
    this.channels = channels;
    this.cacheSuffix = cacheSuffix;
  }

  /** Channels of the cached maps. */
  public int channels() {
    return channels;
  }

  /** Side of the cached maps for an input side of {@code inputSide} pixels. */
  public int side(int inputSide) {
    return (int) (this == STAGE4 ? ResNet50.outSize(inputSide) : ResNet50.stage3Size(inputSide));
  }

  /** Appended to a {@link FeatureCache} variant, so maps of different cuts never share an entry. */
  String cacheSuffix() {
    return cacheSuffix;
  }

  /** The backbone mode that trains on maps taken here. */
  BackboneMode mode() {
    return this == STAGE3 ? BackboneMode.LAST_STAGE : BackboneMode.FROZEN;
  }

  /** The cached part of the backbone, in inference mode: images → maps at this cut. */
  NDArray forward(ResNet50 backbone, ParameterStore ps, NDArray images) {
    NDArray f3 = backbone.forwardToStage3(ps, images, false);
    return this == STAGE3 ? f3 : backbone.forwardStage4(ps, f3, false);
  }
}
