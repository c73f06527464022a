package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2-D convolution followed by batch normalisation and an optional ReLU: the unit every ResNet
 * layer is made of, and the unit {@link BatchNormFolding} works on.
 *
 * <p>Dimensions: B = batch, C = input channels, F = filters, H×W input size, H'×W' output size.
 *
 * <pre>
 *   x (B, C, H, W) → conv (B, F, H', W') → BN (B, F, H', W') → [ReLU] → (B, F, H', W')
 * </pre>
 *
 * <p>Two forward paths. The <b>training path</b> (and the unfolded inference path) runs the
 * convolution and the {@link BatchNorm} child as they are; in training mode BN uses batch
 * statistics. The <b>folded path</b> exists only for inference: once {@link #fold()} has rescaled
 * the convolution by the BN's running statistics, one convolution with a bias does the work of
 * both. Folded arrays are held beside the parameters, not in them, so saving and loading parameters
 * is unaffected and {@link #unfold()} restores the original behaviour.
 */
public final class ConvBn extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int kernel;
  private final int stride;
  private final int padding;
  private final int filters;
  private final boolean bias;
  private final boolean relu;
  private final float epsilon;
  private final Conv2d conv;
  private final BatchNorm bn;

  private NDArray foldedWeight;
  private NDArray foldedBias;

  private ConvBn(Builder builder) {
    super(VERSION);
    kernel = builder.kernel;
    stride = builder.stride;
    padding = builder.padding;
    filters = builder.filters;
    bias = builder.bias;
    relu = builder.relu;
    epsilon = builder.epsilon;
    conv =
        addChildBlock(
            "conv",
            Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .setFilters(filters)
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optBias(bias)
                .build());
    bn =
        addChildBlock(
            "bn", BatchNorm.builder().optEpsilon(epsilon).optMomentum(builder.momentum).build());
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray y;
    if (foldedWeight != null) {
      if (training) {
        throw new IllegalStateException(
            "a BatchNorm-folded network serves only; unfold it to train");
      }
      NDArray w = onDeviceOf(foldedWeight, x);
      NDArray b = onDeviceOf(foldedBias, x);
      y =
          Conv2d.conv2d(
                  x,
                  w,
                  b,
                  new Shape(stride, stride),
                  new Shape(padding, padding),
                  new Shape(1, 1),
                  1)
              .singletonOrThrow();
    } else {
      NDArray c = conv.forward(ps, inputs, training, params).singletonOrThrow();
      y = bn.forward(ps, new NDList(c), training, params).singletonOrThrow();
      release(c, training);
    }
    if (!relu) {
      return new NDList(y);
    }
    NDArray out = Activation.relu(y);
    release(y, training);
    return new NDList(out);
  }

  /**
   * Frees an intermediate array at once when inferring. DJL would otherwise keep every intermediate
   * of a forward pass alive until the caller's manager closes: the whole network's activations at
   * the same time (gigabytes at batch 32), each in freshly allocated memory. Training keeps them
   * (autograd, and callers that inspect them).
   */
  static void release(NDArray intermediate, boolean training) {
    if (!training) {
      intermediate.close();
    }
  }

  private static NDArray onDeviceOf(NDArray array, NDArray x) {
    return array.getDevice().equals(x.getDevice()) ? array : array.toDevice(x.getDevice(), false);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return conv.getOutputShapes(inputShapes);
  }

  /** {@inheritDoc} */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    conv.initialize(manager, dataType, inputShapes);
    bn.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
  }

  /**
   * Folds the BN's running statistics into the convolution: {@code s = γ / sqrt(σ² + ε)}, {@code W'
   * = W·s} per output channel, {@code b' = (b − μ)·s + β}. Afterwards inference runs one
   * convolution; training is refused until {@link #unfold()}. Folding twice recomputes from the
   * current parameters.
   */
  public void fold() {
    unfold();
    NDArray w = weight().getArray();
    float[] weights = w.toFloatArray();
    float[] gamma = gamma().getArray().toFloatArray();
    float[] beta = beta().getArray().toFloatArray();
    float[] mean = runningMean().getArray().toFloatArray();
    float[] var = runningVar().getArray().toFloatArray();
    float[] b = bias ? convBias().getArray().toFloatArray() : new float[filters];
    int perFilter = weights.length / filters;
    float[] newBias = new float[filters];
    for (int f = 0; f < filters; f++) {
      // double keeps the folded values within float rounding of conv → BN computed in float
      double scale = gamma[f] / Math.sqrt((double) var[f] + epsilon);
      for (int i = f * perFilter, end = i + perFilter; i < end; i++) {
        weights[i] = (float) (weights[i] * scale);
      }
      newBias[f] = (float) ((b[f] - (double) mean[f]) * scale + beta[f]);
    }
    NDManager manager = w.getManager();
    foldedWeight = manager.create(weights, w.getShape());
    foldedBias = manager.create(newBias);
  }

  /** Drops the folded arrays; the conv → BN path is used again. */
  public void unfold() {
    if (foldedWeight != null) {
      foldedWeight.close();
      foldedBias.close();
      foldedWeight = null;
      foldedBias = null;
    }
  }

  /** The BN-folded kernel (F, C, k, k); only while {@link #isFolded()}. */
  public NDArray foldedWeight() {
    requireFolded();
    return foldedWeight;
  }

  /** The BN-folded bias (F); only while {@link #isFolded()}. */
  public NDArray foldedBias() {
    requireFolded();
    return foldedBias;
  }

  private void requireFolded() {
    if (foldedWeight == null) {
      throw new IllegalStateException("this unit is not BatchNorm-folded");
    }
  }

  /** Whether inference currently runs the folded convolution. */
  public boolean isFolded() {
    return foldedWeight != null;
  }

  /** The convolution child. */
  public Conv2d conv() {
    return conv;
  }

  /** The batch-normalisation child. */
  public BatchNorm batchNorm() {
    return bn;
  }

  /** Convolution kernel, (F, C, k, k). */
  public Parameter weight() {
    return conv.getParameters().get("weight");
  }

  /** Convolution bias, (F); only when built with a bias. */
  public Parameter convBias() {
    if (!bias) {
      throw new IllegalStateException("this convolution has no bias");
    }
    return conv.getParameters().get("bias");
  }

  /** BN scale γ, (F). */
  public Parameter gamma() {
    return bn.getParameters().get("gamma");
  }

  /** BN shift β, (F). */
  public Parameter beta() {
    return bn.getParameters().get("beta");
  }

  /** BN running mean μ, (F). */
  public Parameter runningMean() {
    return bn.getParameters().get("runningMean");
  }

  /** BN running variance σ², (F). */
  public Parameter runningVar() {
    return bn.getParameters().get("runningVar");
  }

  /** Whether the convolution has a bias. */
  public boolean hasBias() {
    return bias;
  }

  /** Whether a ReLU follows the BN. */
  public boolean hasRelu() {
    return relu;
  }

  /** Kernel size k (square). */
  public int kernel() {
    return kernel;
  }

  /** Stride (same in both directions). */
  public int stride() {
    return stride;
  }

  /** Zero padding on every side. */
  public int padding() {
    return padding;
  }

  /** Number of filters F. */
  public int filters() {
    return filters;
  }

  /** BN epsilon. */
  public float epsilon() {
    return epsilon;
  }

  /** Builder: {@code setX} values are required, {@code optX} values optional. */
  public static final class Builder {
    private int kernel;
    private int stride = 1;
    private int padding;
    private int filters;
    private boolean bias = true;
    private boolean relu = true;
    private float epsilon = 1e-5f;
    private float momentum = 0.9f;

    private Builder() {}

    /** Square kernel size k (required). */
    public Builder setKernel(int kernel) {
      this.kernel = kernel;
      return this;
    }

    /** Output channels F (required). */
    public Builder setFilters(int filters) {
      this.filters = filters;
      return this;
    }

    /** Stride (default 1). */
    public Builder optStride(int stride) {
      this.stride = stride;
      return this;
    }

    /** Zero padding on every side (default 0). */
    public Builder optPadding(int padding) {
      this.padding = padding;
      return this;
    }

    /** Whether the convolution has a bias (default true). */
    public Builder optBias(boolean bias) {
      this.bias = bias;
      return this;
    }

    /** Whether a ReLU follows the BN (default true). */
    public Builder optRelu(boolean relu) {
      this.relu = relu;
      return this;
    }

    /** BN epsilon (default 1e-5, PyTorch's; Keras ResNet-50 uses 1e-3). */
    public Builder optEpsilon(float epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /**
     * BN running-statistics momentum in DJL's sense: {@code running = m·running + (1 − m)·batch}
     * (default 0.9, i.e. PyTorch's momentum 0.1).
     */
    public Builder optMomentum(float momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Validates and builds. */
    public ConvBn build() {
      if (kernel < 1 || filters < 1 || stride < 1 || padding < 0) {
        throw new IllegalArgumentException(
            "kernel, filters and stride must be positive and padding non-negative: k="
                + kernel
                + " F="
                + filters
                + " s="
                + stride
                + " p="
                + padding);
      }
      if (!(epsilon > 0)) {
        throw new IllegalArgumentException("BN epsilon must be positive: " + epsilon);
      }
      return new ConvBn(this);
    }
  }
}
