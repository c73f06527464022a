package dev.pipit.encode;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.pipit.model.InferenceScope;

/**
 * Runs a DJL block (a pipit network's serving path, or a TorchScript module) as an encoder backend.
 * The block's parameters are shared read-only between backends; each forward pass gets its own
 * NDManager scope so nothing outlives the call, and runs with autograd recording off ({@link
 * InferenceScope}): the worker threads that call it would otherwise record a gradient graph for
 * every operation.
 */
public final class BlockBackend implements EncoderBackend {

  private final Block block;
  private final NDManager manager;
  private final Device device;
  private final int bits;
  private final int channels;
  private final int height;
  private final int width;

  /**
   * @param block initialised serving block: {@code (B, C, H, W) → (B, bits)}
   * @param device device the block's parameters live on
   * @param bits code length
   * @param channels input channels
   * @param height input height
   * @param width input width
   */
  public BlockBackend(Block block, Device device, int bits, int channels, int height, int width) {
    this.block = block;
    this.device = device;
    this.manager = NDManager.newBaseManager(device);
    this.bits = bits;
    this.channels = channels;
    this.height = height;
    this.width = width;
  }

  @Override
  public float[][] forward(float[] batch, int n) {
    try (NDManager scope = manager.newSubManager(device);
        InferenceScope noGrad = InferenceScope.enter()) {
      NDArray x = scope.create(batch, new Shape(n, channels, height, width));
      NDList out = block.forward(new ParameterStore(scope, false), new NDList(x), false);
      NDArray codes = out.head();
      if (codes.getShape().dimension() != 2
          || codes.getShape().get(0) != n
          || codes.getShape().get(1) != bits) {
        throw new IllegalStateException(
            "network returned " + codes.getShape() + ", expected (" + n + ", " + bits + ")");
      }
      float[] flat = codes.toFloatArray();
      float[][] rows = new float[n][bits];
      for (int i = 0; i < n; i++) {
        System.arraycopy(flat, i * bits, rows[i], 0, bits);
      }
      return rows;
    }
  }

  @Override
  public int bits() {
    return bits;
  }

  @Override
  public int inputLength() {
    return channels * height * width;
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
