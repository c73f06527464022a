package dev.pipit.train;

/** How much of the network a training run updates. */
public enum BackboneMode {
  /**
   * The ImageNet backbone stays fixed; its feature maps are computed once per image and cached, and only
   * the head (AGMH descriptors, SIEA and hash layer; the hash layer of FCAENet and ADSH-R50) is trained.
   * The CPU protocol: training cost no longer grows with the backbone.
   */
  FROZEN,
  /** Everything is fine-tuned end to end, as in the papers (a GPU protocol). */
  FULL
}
