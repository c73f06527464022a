package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * FCAENet and ADSH-R50: ResNet-50 → global average pool → linear hash layer (with bias) → tanh.
 *
 * <p>Dimensions: B = batch, K = bits, h×w = H/32 × W/32.
 *
 * <pre>
 *   x (B, 3, H, W) → backbone F (B, 2048, h, w) → GAP (B, 2048) → hash (B, K) → tanh → u (B, K)
 * </pre>
 *
 * Training outputs: FCAENet {@code [u, F]} — F is the last conv feature map that SREM turns into an
 * erasing mask; ADSH-R50 {@code [u]}. SREM and ESRL live in training code; serving is the same for
 * both.
 */
public final class PooledHashNetwork extends HashingNetwork {

  private static final byte VERSION = 1;

  private final ResNet50 backbone;
  private final Linear hash;

  PooledHashNetwork(Architecture architecture, int bits, ResNet50.Style style) {
    super(VERSION, architecture, bits);
    if (architecture == Architecture.AGMH) {
      throw new IllegalArgumentException("AGMH is built by AgmhNetwork");
    }
    backbone = addChildBlock("backbone", ResNet50.builder().optStyle(style).build());
    hash = addChildBlock("hash", Linear.builder().setUnits(bits).optBias(true).build());
  }

  /**
   * {@inheritDoc} Training: FCAENet [u (B, K), F (B, 2048, h, w)] for SREM; ADSH-R50 [u (B, K)].
   */
  @Override
  public NDList forwardHead(
      ParameterStore ps, NDArray features, boolean training, PairList<String, Object> params) {
    NDArray u = head(ps, features, training, params);
    return training && architecture() == Architecture.FCAENET
        ? new NDList(u, features)
        : new NDList(u);
  }

  private NDArray head(
      ParameterStore ps, NDArray features, boolean training, PairList<String, Object> params) {
    NDArray pooled = Pool.globalAvgPool2d(features); // (B, 2048)
    return hash.forward(ps, new NDList(pooled), training, params)
        .singletonOrThrow()
        .tanh(); // (B, K)
  }

  /** {@inheritDoc} */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    backbone.initialize(manager, dataType, inputShapes);
    hash.initialize(manager, dataType, new Shape(inputShapes[0].get(0), ResNet50.FEATURES));
  }

  /** {@inheritDoc} */
  @Override
  public ResNet50 backbone() {
    return backbone;
  }

  /** The hash layer: weight (K, 2048), bias (K). */
  public Linear hashLayer() {
    return hash;
  }
}
