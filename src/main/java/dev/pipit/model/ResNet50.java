package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * ResNet-50 up to its last convolutional stage (no pooling, no classifier): the backbone of every
 * pipit network.
 *
 * <p>Dimensions: B = batch, H×W = input size (224×224 in the papers).
 *
 * <pre>
 *   x (B, 3, H, W)
 *   stem: conv 7×7/2 pad 3, 64 → BN → ReLU → max-pool 3×3/2 pad 1   (B, 64, H/4, W/4)
 *   layer1: 3 bottlenecks, width 64,  stride 1                      (B, 256, H/4, W/4)
 *   layer2: 4 bottlenecks, width 128, stride 2                      (B, 512, H/8, W/8)
 *   layer3: 6 bottlenecks, width 256, stride 2                      (B, 1024, H/16, W/16)
 *   layer4: 3 bottlenecks, width 512, stride 2                      (B, 2048, H/32, W/32)
 * </pre>
 *
 * <p>Two layouts ({@link Style}). {@link Style#KERAS_V1} is the network of Keras' {@code ResNet50}
 * (Caffe-style v1): every convolution has a bias, BN epsilon 1e-3, and a downsampling block strides
 * its first 1×1 convolution. That is the layout of the only ImageNet weights pipit ships with
 * ({@link KerasResNet50Importer}). {@link Style#TORCHVISION_V15} is torchvision's (no conv biases,
 * epsilon 1e-5, stride on the 3×3), for weights trained in PyTorch. Max-pool pads with −∞ where
 * Keras zero-pads; after a ReLU both give the same result.
 */
public final class ResNet50 extends AbstractBlock {

  private static final byte VERSION = 1;

  /** Blocks per stage. */
  private static final int[] DEPTHS = {3, 4, 6, 3};

  /** Bottleneck width per stage. */
  private static final int[] WIDTHS = {64, 128, 256, 512};

  /** Channels of the output feature map. */
  public static final int FEATURES = 2048;

  /** Channels of stage 3's output. */
  public static final int STAGE3_FEATURES = 1024;

  /** Layout of the residual blocks and conventions of the convolutions. */
  public enum Style {
    /** Keras / Caffe v1: conv biases, BN ε = 1e-3, stride on the first 1×1 of a block. */
    KERAS_V1(true, 1e-3f),
    /** torchvision v1.5: no conv biases, BN ε = 1e-5, stride on the 3×3. */
    TORCHVISION_V15(false, 1e-5f);

    private final boolean convBias;
    private final float epsilon;

    Style(boolean convBias, float epsilon) {
      this.convBias = convBias;
      this.epsilon = epsilon;
    }

    /** Whether convolutions carry a bias. */
    public boolean convBias() {
      return convBias;
    }

    /** BN epsilon. */
    public float epsilon() {
      return epsilon;
    }

    /** Provenance-settings key of the layout a trained artifact's backbone has. */
    public static final String SETTING = "backbone_layout";

    /** Name in a manifest's provenance settings: {@code keras} or {@code torchvision}. */
    public String id() {
      return this == KERAS_V1 ? "keras" : "torchvision";
    }

    /**
     * The layout a manifest records under {@link #SETTING}; {@link #KERAS_V1} where it records none
     * (artifacts from before torchvision backbones could be trained).
     */
    public static Style of(ModelManifest manifest) {
      String id =
          manifest.provenance() == null || manifest.provenance().settings() == null
              ? null
              : manifest.provenance().settings().get(SETTING);
      return id == null ? KERAS_V1 : ofId(id);
    }

    /**
     * The layout named {@code keras} or {@code torchvision} ({@link #id()}).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Style ofId(String id) {
      for (Style style : values()) {
        if (style.id().equals(id)) {
          return style;
        }
      }
      throw new IllegalArgumentException(
          "unknown backbone layout '" + id + "'; known: keras, torchvision");
    }
  }

  private final Style style;
  private final ConvBn stem;
  private final List<List<Bottleneck>> stages;
  private final List<SequentialBlock> layers;

  private ResNet50(Builder builder) {
    super(VERSION);
    style = builder.style;
    stem =
        addChildBlock(
            "stem",
            ConvBn.builder()
                .setKernel(7)
                .setFilters(64)
                .optStride(2)
                .optPadding(3)
                .optBias(style.convBias())
                .optEpsilon(style.epsilon())
                .build());
    List<List<Bottleneck>> stageList = new ArrayList<>();
    List<SequentialBlock> layerList = new ArrayList<>();
    for (int s = 0; s < DEPTHS.length; s++) {
      SequentialBlock layer = new SequentialBlock();
      List<Bottleneck> blocks = new ArrayList<>();
      for (int b = 0; b < DEPTHS[s]; b++) {
        int stride = b == 0 && s > 0 ? 2 : 1;
        Bottleneck block = new Bottleneck(WIDTHS[s], stride, b == 0, style);
        blocks.add(block);
        layer.add(block);
      }
      stageList.add(Collections.unmodifiableList(blocks));
      layerList.add(addChildBlock("layer" + (s + 1), layer));
    }
    stages = Collections.unmodifiableList(stageList);
    layers = Collections.unmodifiableList(layerList);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray f3 = forwardToStage3(ps, inputs.singletonOrThrow(), training);
    return new NDList(forwardStage4(ps, f3, training));
  }

  /**
   * Stem and stages 1–3 (Keras {@code res2}–{@code res4}): {@code (B, 3, H, W) → (B, 1024, H/16,
   * W/16)}. With {@link #forwardStage4} this is the whole forward pass, split where a trainer
   * caches the frozen part and trains the last stage.
   */
  public NDArray forwardToStage3(ParameterStore ps, NDArray images, boolean training) {
    NDArray x = stem.forward(ps, new NDList(images), training, null).singletonOrThrow();
    // (B, 64, H/2, W/2) → (B, 64, H/4, W/4)
    NDArray y = Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
    ConvBn.release(x, training);
    return blocks(ps, y, stages.subList(0, 3), training);
  }

  /**
   * Stage 4 (conv5_x, Keras {@code res5}): {@code (B, 1024, H/16, W/16) → (B, 2048, H/32, W/32)}.
   * When inferring it frees its input, as every block does.
   */
  public NDArray forwardStage4(ParameterStore ps, NDArray stage3, boolean training) {
    return blocks(ps, stage3, stages.subList(3, 4), training);
  }

  // Block by block rather than through the layer SequentialBlocks (same blocks, same order), so
  // that
  // inference can free each block's input as soon as the next block has consumed it.
  private static NDArray blocks(
      ParameterStore ps, NDArray y, List<List<Bottleneck>> stageList, boolean training) {
    for (List<Bottleneck> stage : stageList) {
      for (Bottleneck block : stage) {
        NDArray next = block.forward(ps, new NDList(y), training, null).singletonOrThrow();
        ConvBn.release(y, training);
        y = next;
      }
    }
    return y;
  }

  /** The last stage's blocks (conv5_x), the part {@code LAST_STAGE} training updates. */
  public List<Bottleneck> lastStage() {
    return stages.get(3);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), FEATURES, outSize(in.get(2)), outSize(in.get(3)))};
  }

  /** Spatial size of the output for an input side of {@code n} pixels. */
  public static long outSize(long n) {
    return (stage3Size(n) - 1) / 2 + 1; // stage 4's stride-2 convolution
  }

  /**
   * Spatial size of stage 3's output ({@link #forwardToStage3}) for an input side of {@code n}
   * pixels.
   */
  public static long stage3Size(long n) {
    long x = (n + 2 * 3 - 7) / 2 + 1; // stem conv
    x = (x + 2 - 3) / 2 + 1; // max-pool
    for (int s = 1; s < DEPTHS.length - 1; s++) {
      x = (x - 1) / 2 + 1; // 1×1 (or 3×3 pad 1) convolution with stride 2
    }
    return x;
  }

  /** {@inheritDoc} */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    stem.initialize(manager, dataType, inputShapes);
    Shape s = stem.getOutputShapes(inputShapes)[0];
    Shape[] shapes = {
      new Shape(s.get(0), s.get(1), (s.get(2) - 1) / 2 + 1, (s.get(3) - 1) / 2 + 1)
    };
    for (SequentialBlock layer : layers) {
      layer.initialize(manager, dataType, shapes);
      shapes = layer.getOutputShapes(shapes);
    }
  }

  /** The layout this backbone was built with. */
  public Style style() {
    return style;
  }

  /** The stem's conv-BN-ReLU unit (Keras {@code conv1/bn_conv1}). */
  public ConvBn stem() {
    return stem;
  }

  /** The four stages, each a list of its bottlenecks (stage 0 is Keras' {@code res2}). */
  public List<List<Bottleneck>> stages() {
    return stages;
  }

  /** Every conv-BN unit of the backbone, stem first. */
  public List<ConvBn> units() {
    List<ConvBn> units = new ArrayList<>();
    units.add(stem);
    stages.forEach(stage -> stage.forEach(block -> units.addAll(block.units())));
    return units;
  }

  /** Builder: all options have defaults; {@link #build()} validates. */
  public static final class Builder {
    private Style style = Style.KERAS_V1;

    private Builder() {}

    /** Layout (default {@link Style#KERAS_V1}, the layout of the shipped ImageNet weights). */
    public Builder optStyle(Style style) {
      this.style = style;
      return this;
    }

    /** Builds the backbone. */
    public ResNet50 build() {
      if (style == null) {
        throw new IllegalArgumentException("style must not be null");
      }
      return new ResNet50(this);
    }
  }
}
