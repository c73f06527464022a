package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A deep-hashing network: images in, {@code bits} real outputs in (−1, 1) out; codes are their
 * signs.
 *
 * <p>Dimensions: B = batch, K = bits (code length).
 *
 * <p>Two forward paths, chosen by DJL's {@code training} flag:
 *
 * <ul>
 *   <li><b>serving</b> ({@code training = false}): {@code (B, 3, H, W) → [u (B, K)]}, u = tanh(·).
 *       Used for serving and for evaluation during training; training-only branches are never run.
 *   <li><b>training</b> ({@code training = true}): {@code [u (B, K), extras…]}; the extras per
 *       architecture are documented on the subclass (AGMH: the SIEA outputs for the Attention
 *       Dispersion Loss; FCAENet: the last feature map for SREM; ADSH-R50: none). BatchNorm uses
 *       batch statistics.
 * </ul>
 *
 * Both paths share all parameters, so parameters saved from training load into a serving network of
 * the same architecture and code length. {@link BatchNormFolding} can fold every BN into its
 * convolution for serving.
 */
public abstract class HashingNetwork extends AbstractBlock {

  private final Architecture architecture;
  private final int bits;

  /**
   * @param version block version for parameter files
   * @param architecture which network this is
   * @param bits code length K
   */
  protected HashingNetwork(byte version, Architecture architecture, int bits) {
    super(version);
    if (bits < 1 || bits > Architecture.MAX_BITS) {
      throw new IllegalArgumentException(
          "bits must be in 1.." + Architecture.MAX_BITS + ", got " + bits);
    }
    this.architecture = architecture;
    this.bits = bits;
  }

  /** The architecture. */
  public Architecture architecture() {
    return architecture;
  }

  /** Code length K. */
  public int bits() {
    return bits;
  }

  /** The ResNet-50 backbone. */
  public abstract ResNet50 backbone();

  /**
   * Everything after the backbone: features (B, 2048, h, w) → serving [u (B, K)] or training [u (B,
   * K), extras…]. Lets a trainer with a frozen backbone compute the backbone once and train the
   * head on cached features.
   */
  public abstract NDList forwardHead(
      ParameterStore ps, NDArray features, boolean training, PairList<String, Object> params);

  /**
   * Stage 4 of the backbone, then the head: cached stage-3 maps (B, 1024, h', w') → the outputs of
   * {@link #forwardHead}. Lets a trainer keep stem–stage 3 frozen and cached while it trains
   * conv5_x with the head; in training mode stage 4's BatchNorm uses batch statistics.
   */
  public NDList forwardFromStage3(ParameterStore ps, NDArray stage3, boolean training) {
    NDArray features = backbone().forwardStage4(ps, stage3, training);
    NDList out = forwardHead(ps, features, training, null);
    if (!training && out.stream().noneMatch(a -> a == features)) {
      features.close();
    }
    return out;
  }

  /** {@inheritDoc} */
  @Override
  protected final NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray images = inputs.singletonOrThrow();
    if (images.getShape().dimension() != 4 || images.getShape().get(1) != 3) {
      throw new IllegalArgumentException("expected images (B, 3, H, W), got " + images.getShape());
    }
    NDArray features =
        backbone().forward(ps, new NDList(images), training, params).singletonOrThrow();
    NDList out = forwardHead(ps, features, training, params);
    if (!training && out.stream().noneMatch(a -> a == features)) {
      features.close(); // inference frees intermediates as it goes (see ConvBn)
    }
    return out;
  }

  /**
   * Runs the serving path outside a predictor: {@code (B, 3, H, W) → (B, K)}, with autograd
   * recording off on the calling thread ({@link InferenceScope}).
   *
   * @param ps parameter store of the caller's manager
   * @param images preprocessed images
   */
  public NDArray serve(ParameterStore ps, NDArray images) {
    try (InferenceScope scope = InferenceScope.enter()) {
      return forward(ps, new NDList(images), false).singletonOrThrow();
    }
  }

  /** {@inheritDoc} The serving output shape [(B, K)]. */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), bits)};
  }

  /**
   * Initialises all parameters for training from {@code seed}: weights He-normal from a generator
   * of this call's own (see {@link SeededHeNormal}), biases and BatchNorm shifts 0, BatchNorm
   * scales 1. The same seed gives the same parameters whatever other threads do.
   *
   * @param manager the manager that will own the parameters (e.g. the model's)
   * @param side input side, e.g. 224
   */
  public void initialize(NDManager manager, int side, long seed) {
    setInitializer(new SeededHeNormal(seed), Parameter.Type.WEIGHT);
    initialize(manager, DataType.FLOAT32, new Shape(1, 3, side, side));
  }

  /**
   * Allocates all parameters for inputs of {@code side×side}, weights zero, for values loaded or
   * imported next: nothing random is drawn.
   */
  public void allocate(NDManager manager, int side) {
    setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
    initialize(manager, DataType.FLOAT32, new Shape(1, 3, side, side));
  }
}
