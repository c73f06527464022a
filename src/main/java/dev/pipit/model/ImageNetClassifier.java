package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * ResNet-50 with its ImageNet head: backbone → global average pool → fully connected 2048→1000 →
 * softmax. Used to check imported weights against a known classification; pipit's hashing networks
 * use the backbone alone.
 *
 * <p>Dimensions: B = batch. Input (B, 3, H, W) preprocessed for the backbone; output (B, 1000)
 * class probabilities.
 */
public final class ImageNetClassifier extends AbstractBlock {

  private static final byte VERSION = 1;

  /** Number of ImageNet classes. */
  public static final int CLASSES = 1000;

  private final ResNet50 backbone;
  private final Linear fc;

  /**
   * Creates the classifier over a new backbone.
   *
   * @param style layout of the backbone
   */
  public ImageNetClassifier(ResNet50.Style style) {
    super(VERSION);
    backbone = addChildBlock("backbone", ResNet50.builder().optStyle(style).build());
    fc = addChildBlock("fc", Linear.builder().setUnits(CLASSES).optBias(true).build());
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray features = backbone.forward(ps, inputs, training, params).singletonOrThrow();
    NDArray pooled = Pool.globalAvgPool2d(features); // (B, 2048)
    NDArray logits = fc.forward(ps, new NDList(pooled), training, params).singletonOrThrow();
    return new NDList(logits.softmax(1)); // (B, 1000)
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), CLASSES)};
  }

  /** {@inheritDoc} */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    backbone.initialize(manager, dataType, inputShapes);
    fc.initialize(manager, dataType, new Shape(inputShapes[0].get(0), ResNet50.FEATURES));
  }

  /** The backbone. */
  public ResNet50 backbone() {
    return backbone;
  }

  /** The 2048→1000 classifier layer. */
  public Linear fc() {
    return fc;
  }
}
