package dev.pipit.encode;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.pipit.model.LinearHasher;
import dev.pipit.model.ResNet50;

/**
 * Serves a classical baseline (LSH or ITQ): the ImageNet ResNet-50's layer-4 maps, globally average
 * pooled to 2048 floats, then the {@link LinearHasher}'s projection {@code (x − μ)·P}; the code is
 * its sign. The backbone's parameters are shared read-only between backends.
 */
public final class LinearHashBackend implements EncoderBackend {

  private final ResNet50 backbone;
  private final LinearHasher hasher;
  private final NDManager manager;
  private final Device device;
  private final int side;

  /**
   * @param backbone initialised ImageNet backbone on {@code device}
   * @param hasher the fitted hasher (2048 inputs)
   * @param device where the backbone lives
   * @param side square input side
   */
  public LinearHashBackend(ResNet50 backbone, LinearHasher hasher, Device device, int side) {
    if (hasher.dimensions() != ResNet50.FEATURES) {
      throw new IllegalArgumentException(
          "hasher takes "
              + hasher.dimensions()
              + " features, the backbone gives "
              + ResNet50.FEATURES);
    }
    this.backbone = backbone;
    this.hasher = hasher;
    this.device = device;
    this.side = side;
    this.manager = NDManager.newBaseManager(device);
  }

  @Override
  public float[][] forward(float[] batch, int n) {
    float[] pooled;
    try (NDManager scope = manager.newSubManager(device)) {
      NDArray x = scope.create(batch, new Shape(n, 3, side, side));
      NDArray maps =
          backbone
              .forward(new ParameterStore(scope, false), new NDList(x), false)
              .singletonOrThrow();
      pooled = maps.reshape(n, ResNet50.FEATURES, -1).mean(new int[] {2}).toFloatArray();
    }
    int d = hasher.dimensions();
    float[][] rows = new float[n][];
    float[] features = new float[d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(pooled, i * d, features, 0, d);
      rows[i] = hasher.project(features);
    }
    return rows;
  }

  @Override
  public int bits() {
    return hasher.bits();
  }

  @Override
  public int inputLength() {
    return 3 * side * side;
  }

  @Override
  public String device() {
    return device.toString();
  }

  @Override
  public void close() {
    manager.close();
  }
}
