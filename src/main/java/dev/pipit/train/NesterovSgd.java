package dev.pipit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SGD with momentum and optional Nesterov acceleration, with exactly PyTorch's {@code
 * torch.optim.SGD} semantics, which the papers' hyper-parameters were tuned for (DJL's own {@code
 * Nag} differs):
 *
 * <pre>
 *   d   = g + wd · w
 *   buf = d                    (first step)
 *   buf = μ · buf + d          (later steps)
 *   d   = d + μ · buf          (Nesterov)   or   d = buf   (plain momentum)
 *   w   = w − lr · d
 * </pre>
 *
 * The learning rate comes from a {@link ParameterTracker}, so a schedule or a lower backbone rate
 * can be expressed per parameter.
 */
public final class NesterovSgd extends Optimizer {

  private final ParameterTracker learningRate;
  private final float momentum;
  private final boolean nesterov;
  private final Map<String, Map<Device, NDArray>> buffers = new ConcurrentHashMap<>();

  private NesterovSgd(Builder builder) {
    super(builder);
    this.learningRate = builder.learningRate;
    this.momentum = builder.momentum;
    this.nesterov = builder.nesterov;
  }

  /** A builder; weight decay via {@code optWeightDecays}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The gradient is the update's working buffer and is overwritten: zero it before the next
   * backward pass, as {@link AdshTrainer} does. Working in place keeps an update to two temporaries
   * the size of the weight (w·wd and μ·buf, freed at once) where the functional form allocated four
   * per weight and step, each in fresh pages; on ~27 M trained weights that is memory traffic a
   * step can feel.
   */
  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    float lr = learningRate.getNewValue(parameterId, updateCount(parameterId));
    NDArray d = grad;
    if (rescaleGrad != 1f) {
      d.muli(rescaleGrad);
    }
    float weightDecay = getWeightDecay();
    if (weightDecay != 0f) {
      try (NDArray decay = weight.mul(weightDecay)) {
        d.addi(decay);
      }
    }
    if (momentum != 0f) {
      Map<Device, NDArray> perDevice = buffers.get(parameterId);
      NDArray buffer = perDevice == null ? null : perDevice.get(weight.getDevice());
      if (buffer == null) {
        buffer = d.duplicate();
        buffer.attach(weight.getManager()); // the buffer lives as long as the weight, not the step
        buffers
            .computeIfAbsent(parameterId, k -> new ConcurrentHashMap<>())
            .put(weight.getDevice(), buffer);
      } else {
        buffer.muli(momentum).addi(d);
      }
      if (!nesterov) {
        try (NDArray step = buffer.mul(lr)) {
          weight.subi(step);
        }
        return;
      }
      try (NDArray look = buffer.mul(momentum)) {
        d.addi(look);
      }
    }
    weight.subi(d.muli(lr));
  }

  /** The momentum buffer of a parameter as a flat array, or null before its first update. */
  public float[] momentum(String parameterId) {
    Map<Device, NDArray> perDevice = buffers.get(parameterId);
    return perDevice == null || perDevice.isEmpty()
        ? null
        : perDevice.values().iterator().next().toFloatArray();
  }

  /** Sets the momentum buffer of a parameter (from a checkpoint), shaped like its weight. */
  public void restoreMomentum(String parameterId, float[] values, NDArray weight) {
    if (weight.size() != values.length) {
      throw new IllegalArgumentException(
          "momentum state of "
              + values.length
              + " values does not fit a weight of "
              + weight.getShape());
    }
    NDArray buffer = weight.getManager().create(values, weight.getShape());
    buffers
        .computeIfAbsent(parameterId, k -> new ConcurrentHashMap<>())
        .put(weight.getDevice(), buffer);
  }

  /** Builds {@link NesterovSgd}. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private ParameterTracker learningRate;
    private float momentum;
    private boolean nesterov;

    @Override
    protected Builder self() {
      return this;
    }

    /** Required: the learning rate (a constant is {@code (id, step) -> 1e-3f}). */
    public Builder setLearningRate(ParameterTracker learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Momentum μ (default 0). */
    public Builder optMomentum(float momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Nesterov acceleration (default off). */
    public Builder optNesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    public NesterovSgd build() {
      if (learningRate == null) {
        throw new IllegalArgumentException("a learning rate is required");
      }
      if (nesterov && momentum <= 0f) {
        throw new IllegalArgumentException("Nesterov needs momentum > 0");
      }
      return new NesterovSgd(this);
    }
  }
}
