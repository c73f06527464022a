package dev.pipit.train;

/** How much of the network a training run updates. */
public enum BackboneMode {
  /**
   * The ImageNet backbone stays fixed; its feature maps are computed once per image and cached, and only
   * the head (AGMH descriptors, SIEA and hash layer; the hash layer of FCAENet and ADSH-R50) is trained.
   * Training cost no longer grows with the backbone.
   */
  FROZEN(FeatureCut.STAGE4),
  /**
   * Stem to stage 3 stay fixed and their output maps are cached; the last stage (conv5_x) is fine-tuned
   * with the head, its BatchNorm in training mode. The CPU protocol: most of the backbone's cost is paid
   * once per image, yet the features adapt to the data set.
   */
  LAST_STAGE(FeatureCut.STAGE3),
  /** Everything is fine-tuned end to end, as in the papers (a GPU protocol). */
  FULL(null);

  private final FeatureCut cut;

  BackboneMode(FeatureCut cut) {
    this.cut = cut;
  }

  /** Where the cached part of the backbone ends; null when nothing is cached ({@link #FULL}). */
  public FeatureCut featureCut() {
    return cut;
  }
}
