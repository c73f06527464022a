package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Stepwise interactive external attention (SIEA), AGMH's training-only refinement of one attribute
 * descriptor. Its output feeds the Attention Dispersion Loss; the serving path never runs it.
 *
 * <p>Dimensions: B = batch, C = descriptor channels (512), S = memory size (128), T = steps (4), N
 * = h·w spatial positions.
 *
 * <pre>
 *   D (B, C, h, w)
 *   X = input 1×1 conv with bias (D), viewed as (B, C, N)
 *   Q_t = M_t X                          (B, S, N)     t = 1..T, M_t (S, C) no bias
 *   Z_1 = Q_1;  Z_t = W_{t−1} [Z_{t−1}; Q_t]  (B, S, N)     W_t (S, 2S) no bias
 *   Â = softmax over N of Z_T;  A[s, n] = Â[s, n] / (1e−9 + Σ_s' Â[s', n])    (double normalisation)
 *   Y = M_v A                             (B, C, N)     M_v (C, S) no bias, viewed as (B, C, h, w)
 *   out = ReLU(BN(1×1 conv, no bias (Y)) + D)          (B, C, h, w)
 * </pre>
 */
public final class Siea extends AbstractBlock {

  private static final byte VERSION = 1;
  private static final float NORM_EPS = 1e-9f;

  private final int channels;
  private final Conv2d input;
  private final List<Conv1d> queries;
  private final List<Conv1d> steps;
  private final Conv1d memoryOut;
  private final ConvBn output;

  Siea(int channels, int memory, int stepCount) {
    super(VERSION);
    if (channels < 1 || memory < 1 || stepCount < 1) {
      throw new IllegalArgumentException(
          "SIEA needs positive sizes: " + channels + ", " + memory + ", " + stepCount);
    }
    this.channels = channels;
    input =
        addChildBlock(
            "input",
            Conv2d.builder()
                .setKernelShape(new Shape(1, 1))
                .setFilters(channels)
                .optBias(true)
                .build());
    List<Conv1d> q = new ArrayList<>();
    for (int t = 0; t < stepCount; t++) {
      q.add(addChildBlock("query" + t, conv1d(memory)));
    }
    List<Conv1d> w = new ArrayList<>();
    for (int t = 0; t < stepCount - 1; t++) {
      w.add(addChildBlock("step" + t, conv1d(memory)));
    }
    queries = Collections.unmodifiableList(q);
    steps = Collections.unmodifiableList(w);
    memoryOut = addChildBlock("memoryOut", conv1d(channels));
    output =
        addChildBlock(
            "output",
            ConvBn.builder()
                .setKernel(1)
                .setFilters(channels)
                .optBias(false)
                .optRelu(false)
                .build());
  }

  private static Conv1d conv1d(int filters) {
    return Conv1d.builder().setKernelShape(new Shape(1)).setFilters(filters).optBias(false).build();
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray d = inputs.singletonOrThrow(); // (B, C, h, w)
    Shape shape = d.getShape();
    NDArray x = input.forward(ps, inputs, training, params).singletonOrThrow();
    NDList xs =
        new NDList(x.reshape(shape.get(0), channels, shape.get(2) * shape.get(3))); // (B, C, N)
    NDArray z = queries.get(0).forward(ps, xs, training, params).singletonOrThrow(); // (B, S, N)
    for (int t = 1; t < queries.size(); t++) {
      NDArray q = queries.get(t).forward(ps, xs, training, params).singletonOrThrow();
      z =
          steps
              .get(t - 1)
              .forward(ps, new NDList(z.concat(q, 1)), training, params)
              .singletonOrThrow();
    }
    NDArray a = attention(z); // (B, S, N)
    NDArray y =
        memoryOut.forward(ps, new NDList(a), training, params).singletonOrThrow(); // (B, C, N)
    NDArray out =
        output.forward(ps, new NDList(y.reshape(shape)), training, params).singletonOrThrow();
    return new NDList(Activation.relu(out.add(d)));
  }

  /**
   * The double normalisation: softmax over positions (last axis), then each position's column
   * divided by {@code 1e−9 +} its sum over memory rows (axis 1). (B, S, N) → (B, S, N).
   */
  static NDArray attention(NDArray z) {
    NDArray a = z.softmax(2);
    return a.div(a.sum(new int[] {1}, true).add(NORM_EPS));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  /** {@inheritDoc} */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape d = inputShapes[0];
    input.initialize(manager, dataType, d);
    Shape seq = new Shape(d.get(0), channels, d.get(2) * d.get(3));
    for (Conv1d q : queries) {
      q.initialize(manager, dataType, seq);
    }
    Shape z = queries.get(0).getOutputShapes(new Shape[] {seq})[0];
    Shape pair = new Shape(z.get(0), 2 * z.get(1), z.get(2));
    for (Conv1d w : steps) {
      w.initialize(manager, dataType, pair);
    }
    memoryOut.initialize(manager, dataType, z);
    output.initialize(manager, dataType, d);
  }

  /** The input 1×1 convolution (with bias). */
  public Conv2d input() {
    return input;
  }

  /** The query projections M_1..M_T, weights (S, C, 1). */
  public List<Conv1d> queries() {
    return queries;
  }

  /** The step mixers W_1..W_{T−1}, weights (S, 2S, 1). */
  public List<Conv1d> steps() {
    return steps;
  }

  /** The memory read-out M_v, weight (C, S, 1). */
  public Conv1d memoryOut() {
    return memoryOut;
  }

  /** The output 1×1 convolution + BN. */
  public ConvBn output() {
    return output;
  }
}
