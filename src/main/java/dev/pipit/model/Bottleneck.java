package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One ResNet bottleneck residual block: 1×1 reduce → 3×3 → 1×1 expand, plus an identity or
 * projection shortcut, then ReLU.
 *
 * <p>Dimensions: B = batch, C = input channels, P = bottleneck width, 4P = output channels, s =
 * stride.
 *
 * <pre>
 *   x (B, C, H, W)
 *     reduce  1×1, P        → (B, P, H/s, W/s)   [stride here in the Keras/Caffe v1 layout]
 *     spatial 3×3 pad 1, P  → (B, P, H/s, W/s)   [stride here in the torchvision v1.5 layout]
 *     expand  1×1, 4P, no ReLU
 *   + shortcut: x, or 1×1/s projection to 4P, no ReLU
 *   → ReLU → (B, 4P, H/s, W/s)
 * </pre>
 */
public final class Bottleneck extends AbstractBlock {

  private static final byte VERSION = 1;

  private final ConvBn reduce;
  private final ConvBn spatial;
  private final ConvBn expand;
  private final ConvBn projection;

  Bottleneck(int width, int stride, boolean project, ResNet50.Style style) {
    super(VERSION);
    boolean strideFirst = style == ResNet50.Style.KERAS_V1;
    reduce = addChildBlock("reduce", unit(style, 1, width, strideFirst ? stride : 1, 0, true));
    spatial = addChildBlock("spatial", unit(style, 3, width, strideFirst ? 1 : stride, 1, true));
    expand = addChildBlock("expand", unit(style, 1, 4 * width, 1, 0, false));
    projection =
        project ? addChildBlock("projection", unit(style, 1, 4 * width, stride, 0, false)) : null;
  }

  private static ConvBn unit(
      ResNet50.Style style, int kernel, int filters, int stride, int padding, boolean relu) {
    return ConvBn.builder()
        .setKernel(kernel)
        .setFilters(filters)
        .optStride(stride)
        .optPadding(padding)
        .optBias(style.convBias())
        .optEpsilon(style.epsilon())
        .optRelu(relu)
        .build();
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray a = reduce.forward(ps, inputs, training, params).singletonOrThrow();
    NDArray b = spatial.forward(ps, new NDList(a), training, params).singletonOrThrow();
    ConvBn.release(a, training);
    NDArray out = expand.forward(ps, new NDList(b), training, params).singletonOrThrow();
    ConvBn.release(b, training);
    NDArray shortcut =
        projection == null
            ? x
            : projection.forward(ps, inputs, training, params).singletonOrThrow();
    if (training) {
      return new NDList(Activation.relu(out.add(shortcut)));
    }
    // Inference: add into the expand output (ours, used nowhere else) and free what is done with.
    out.addi(shortcut);
    if (shortcut != x) {
      shortcut.close();
    }
    NDArray y = Activation.relu(out);
    out.close();
    return new NDList(y);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] shapes = reduce.getOutputShapes(inputShapes);
    shapes = spatial.getOutputShapes(shapes);
    return expand.getOutputShapes(shapes);
  }

  /** {@inheritDoc} */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    reduce.initialize(manager, dataType, inputShapes);
    Shape[] shapes = reduce.getOutputShapes(inputShapes);
    spatial.initialize(manager, dataType, shapes);
    expand.initialize(manager, dataType, spatial.getOutputShapes(shapes));
    if (projection != null) {
      projection.initialize(manager, dataType, inputShapes);
    }
  }

  /** The 1×1 reducing unit ({@code branch2a} in Keras, {@code conv1/bn1} in torchvision). */
  public ConvBn reduce() {
    return reduce;
  }

  /** The 3×3 unit ({@code branch2b}, {@code conv2/bn2}). */
  public ConvBn spatial() {
    return spatial;
  }

  /** The 1×1 expanding unit ({@code branch2c}, {@code conv3/bn3}). */
  public ConvBn expand() {
    return expand;
  }

  /** The projection shortcut ({@code branch1}, {@code downsample}), if this block has one. */
  public Optional<ConvBn> projection() {
    return Optional.ofNullable(projection);
  }

  /** All conv-BN units of this block, in forward order (projection last). */
  public List<ConvBn> units() {
    List<ConvBn> units = new ArrayList<>(List.of(reduce, spatial, expand));
    if (projection != null) {
      units.add(projection);
    }
    return units;
  }
}
