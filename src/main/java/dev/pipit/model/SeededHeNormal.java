package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.SplittableRandom;

/**
 * He-normal weights (Gaussian, standard deviation √(2 / fan-in), fan-in = input channels × kernel
 * area): the distribution of DJL's default weight initialiser, drawn from this object's own seeded
 * generator instead of the engine's one global generator. Another thread drawing from that global
 * generator (a model loading beside a training run) cannot change what a seed gives, so "same seed
 * → same codes" needs no lock. Draws happen in parameter initialisation order, which a block tree
 * fixes.
 */
final class SeededHeNormal implements Initializer {

  private final SplittableRandom random;

  SeededHeNormal(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public synchronized NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
    if (shape.dimension() < 2) {
      throw new IllegalArgumentException(
          "He-normal needs a weight of at least 2 dimensions, not " + shape);
    }
    long kernelArea = shape.dimension() == 2 ? 1 : shape.slice(2).size();
    double deviation = Math.sqrt(2.0 / (shape.get(1) * kernelArea));
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * deviation);
    }
    NDArray weights = manager.create(values, shape);
    return dataType == DataType.FLOAT32 ? weights : weights.toType(dataType, false);
  }
}
