package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * AGMH (attribute-grouped mutual hashing): ResNet-50 → K attribute descriptors → GAP → concat →
 * hash layer without bias → tanh; SIEA per descriptor in training only.
 *
 * <p>Dimensions: B = batch, K = bits, G = descriptors (6), D = descriptor channels (512), h×w =
 * H/32 × W/32.
 *
 * <pre>
 *   x (B, 3, H, W) → backbone F (B, 2048, h, w)
 *   D_i = ReLU(BN(1×1 conv with bias, 2048→D (F)))     (B, D, h, w)    i = 1..G
 *   v_i = GAP(D_i)                                     (B, D)
 *   v = concat(v_1..v_G)                               (B, G·D)
 *   u = tanh(W_h v), W_h (K, G·D), no bias             (B, K)
 *   training only: A_i = SIEA_i(D_i)                   (B, D, h, w)
 * </pre>
 *
 * Serving output {@code [u]}; training output {@code [u, A_1, …, A_G]} for {@link
 * AttentionDispersionLoss}.
 */
public final class AgmhNetwork extends HashingNetwork {

  private static final byte VERSION = 1;

  private final int descriptorChannels;
  private final ResNet50 backbone;
  private final List<ConvBn> descriptors;
  private final List<Siea> siea;
  private final Linear hash;

  private AgmhNetwork(Builder builder) {
    super(VERSION, Architecture.AGMH, builder.bits);
    descriptorChannels = builder.descriptorChannels;
    backbone = addChildBlock("backbone", ResNet50.builder().optStyle(builder.style).build());
    List<ConvBn> d = new ArrayList<>();
    List<Siea> s = new ArrayList<>();
    for (int i = 0; i < builder.descriptors; i++) {
      d.add(
          addChildBlock(
              "descriptor" + i,
              ConvBn.builder().setKernel(1).setFilters(descriptorChannels).optBias(true).build()));
    }
    for (int i = 0; i < builder.descriptors; i++) {
      s.add(addChildBlock("siea" + i, new Siea(descriptorChannels, builder.memory, builder.steps)));
    }
    descriptors = Collections.unmodifiableList(d);
    siea = Collections.unmodifiableList(s);
    hash = addChildBlock("hash", Linear.builder().setUnits(builder.bits).optBias(false).build());
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@inheritDoc} Training: [u (B, K), A_1 … A_G (B, D, h, w)], the SIEA outputs for the ADL. */
  @Override
  public NDList forwardHead(
      ParameterStore ps, NDArray f, boolean training, PairList<String, Object> params) {
    NDList pooled = new NDList(descriptors.size());
    NDList attended = new NDList(training ? descriptors.size() : 0);
    for (int i = 0; i < descriptors.size(); i++) {
      NDArray di =
          descriptors.get(i).forward(ps, new NDList(f), training, params).singletonOrThrow();
      pooled.add(Pool.globalAvgPool2d(di)); // (B, D)
      if (training) { // SIEA feeds only the Attention Dispersion Loss: never run when serving
        attended.add(siea.get(i).forward(ps, new NDList(di), true, params).singletonOrThrow());
      } else {
        di.close();
      }
    }
    NDList out = new NDList(hash(ps, pooled, training, params));
    out.addAll(attended);
    return out;
  }

  private NDArray hash(
      ParameterStore ps, NDList pooled, boolean training, PairList<String, Object> params) {
    NDArray v = NDArrays.concat(pooled, 1); // (B, G·D)
    return hash.forward(ps, new NDList(v), training, params).singletonOrThrow().tanh(); // (B, K)
  }

  /** {@inheritDoc} */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    backbone.initialize(manager, dataType, inputShapes);
    Shape f = backbone.getOutputShapes(inputShapes)[0];
    Shape d = new Shape(f.get(0), descriptorChannels, f.get(2), f.get(3));
    for (ConvBn descriptor : descriptors) {
      descriptor.initialize(manager, dataType, f);
    }
    for (Siea s : siea) {
      s.initialize(manager, dataType, d);
    }
    hash.initialize(
        manager, dataType, new Shape(f.get(0), (long) descriptorChannels * descriptors.size()));
  }

  /** {@inheritDoc} */
  @Override
  public ResNet50 backbone() {
    return backbone;
  }

  /** The G descriptor units (1×1 conv with bias, BN, ReLU). */
  public List<ConvBn> descriptors() {
    return descriptors;
  }

  /** The G SIEA blocks (training only). */
  public List<Siea> siea() {
    return siea;
  }

  /** The hash layer, weight (K, G·D), no bias. */
  public Linear hashLayer() {
    return hash;
  }

  /** Builder: {@code setBits} is required. */
  public static final class Builder {
    private int bits;
    private int descriptors = 6;
    private int descriptorChannels = 512;
    private int memory = 128;
    private int steps = 4;
    private ResNet50.Style style = ResNet50.Style.KERAS_V1;

    private Builder() {}

    /** Code length K (required). */
    public Builder setBits(int bits) {
      this.bits = bits;
      return this;
    }

    /** Number of attribute descriptors G (default 6). */
    public Builder optDescriptors(int descriptors) {
      this.descriptors = descriptors;
      return this;
    }

    /** Channels per descriptor D (default 512). */
    public Builder optDescriptorChannels(int channels) {
      this.descriptorChannels = channels;
      return this;
    }

    /** SIEA memory size S (default 128). */
    public Builder optMemory(int memory) {
      this.memory = memory;
      return this;
    }

    /** SIEA steps T (default 4). */
    public Builder optSteps(int steps) {
      this.steps = steps;
      return this;
    }

    /** Backbone layout (default {@link ResNet50.Style#KERAS_V1}). */
    public Builder optBackbone(ResNet50.Style style) {
      this.style = style;
      return this;
    }

    /** Validates and builds. */
    public AgmhNetwork build() {
      if (descriptors < 2) {
        throw new IllegalArgumentException("AGMH needs at least 2 descriptors, got " + descriptors);
      }
      if (descriptorChannels < 1 || memory < 1 || steps < 1) {
        throw new IllegalArgumentException(
            "descriptor channels, memory and steps must be positive");
      }
      return new AgmhNetwork(this);
    }
  }
}
