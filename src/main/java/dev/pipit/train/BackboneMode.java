package dev.pipit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.pipit.model.HashingNetwork;
import java.util.List;

/** How much of the network a training run updates. */
public enum BackboneMode {
  /**
   * The ImageNet backbone stays fixed; its feature maps are computed once per image and cached, and
   * only the head (AGMH descriptors, SIEA and hash layer; the hash layer of FCAENet and ADSH-R50)
   * is trained. Training cost no longer grows with the backbone.
   */
  FROZEN(FeatureCut.STAGE4),
  /**
   * Stem to stage 3 stay fixed and their output maps are cached; the last stage (conv5_x) is
   * fine-tuned with the head, its BatchNorm in training mode. The CPU protocol: most of the
   * backbone's cost is paid once per image, yet the features adapt to the data set.
   */
  LAST_STAGE(FeatureCut.STAGE3),
  /**
   * Everything is fine-tuned end to end, as in the papers (a GPU protocol): every mini-batch is
   * decoded from the dataset and augmented (random resized crop + horizontal flip), and the whole
   * network runs forward and backward with every BatchNorm in training mode.
   */
  FULL(null);

  private final FeatureCut cut;

  BackboneMode(FeatureCut cut) {
    this.cut = cut;
  }

  /** Where the cached part of the backbone ends; null when nothing is cached ({@link #FULL}). */
  public FeatureCut featureCut() {
    return cut;
  }

  /**
   * The network from what this mode feeds it: cached backbone maps ({@link #FROZEN}), cached
   * stage-3 maps ({@link #LAST_STAGE}) or images ({@link #FULL}), to the serving or training
   * outputs.
   */
  public NDList forward(
      HashingNetwork network, ParameterStore ps, NDArray input, boolean training) {
    return switch (this) {
      case FROZEN -> network.forwardHead(ps, input, training, null);
      case LAST_STAGE -> network.forwardFromStage3(ps, input, training);
      case FULL -> network.forward(ps, new NDList(input), training);
    };
  }

  /**
   * Makes exactly the parameters this mode trains require gradients: the head always, conv5_x in
   * {@link #LAST_STAGE}, the whole backbone in {@link #FULL}. BatchNorm running statistics never do
   * (they are updated by the training-mode forward, not by the optimiser), as in PyTorch.
   */
  void selectTrainable(HashingNetwork network) {
    network.backbone().freezeParameters(true);
    List<? extends Block> trained =
        switch (this) {
          case FROZEN -> List.of();
          case LAST_STAGE -> network.backbone().lastStage();
          case FULL -> List.of(network.backbone());
        };
    // Parameter.freeze(false) would make the running statistics require gradients too: learnable
    // ones only.
    trained.forEach(
        block ->
            block
                .getParameters()
                .forEach(
                    pair -> {
                      Parameter.Type type = pair.getValue().getType();
                      if (type != Parameter.Type.RUNNING_MEAN
                          && type != Parameter.Type.RUNNING_VAR) {
                        pair.getValue().freeze(false);
                      }
                    }));
  }
}
