package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.NormalInitializer;
import dev.pipit.index.Code;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real DJL network behind the batching encoder: concurrency must not change any code. */
class BlockBackendTests {

  static final int BITS = 48;
  static final int C = 3;
  static final int H = 8;
  static final int W = 8;

  static NDManager manager;
  static SequentialBlock network;

  @BeforeAll
  static void buildNetwork() {
    manager = NDManager.newBaseManager(Device.cpu());
    network = new SequentialBlock();
    network.add(Blocks.batchFlattenBlock());
    network.add(Linear.builder().setUnits(64).build());
    network.add(Activation.reluBlock());
    network.add(Linear.builder().setUnits(BITS).build());
    network.add(Activation.tanhBlock());
    network.setInitializer(new NormalInitializer(0.5f), Parameter.Type.WEIGHT);
    network.initialize(manager, DataType.FLOAT32, new Shape(1, C, H, W));
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static float[][] images(int n, long seed) {
    Random random = new Random(seed);
    float[][] images = new float[n][C * H * W];
    for (float[] image : images) {
      for (int i = 0; i < image.length; i++) {
        image[i] = (float) random.nextGaussian();
      }
    }
    return images;
  }

  @Test
  void batchedOutputsEqualOneByOneOutputs() {
    try (var backend = new BlockBackend(network, Device.cpu(), BITS, C, H, W)) {
      float[][] images = images(5, 1);
      float[] batch = new float[5 * C * H * W];
      for (int i = 0; i < 5; i++) {
        System.arraycopy(images[i], 0, batch, i * C * H * W, C * H * W);
      }
      float[][] together = backend.forward(batch, 5);
      for (int i = 0; i < 5; i++) {
        float[] alone = backend.forward(images[i], 1)[0];
        // Different batch sizes may take different GEMM kernels: equal up to float32 rounding.
        assertThat(together[i]).containsExactly(alone, Offset.offset(1e-4f));
        assertThat(signsAwayFromZero(together[i])).isEqualTo(signsAwayFromZero(alone));
      }
    }
  }

  /** Signs of the outputs, with 0 for values so close to 0 that rounding may flip them. */
  static int[] signsAwayFromZero(float[] values) {
    int[] signs = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      signs[i] = Math.abs(values[i]) < 1e-4f ? 0 : (values[i] > 0 ? 1 : -1);
    }
    return signs;
  }

  @Test
  void eightThreadsEncodingTheSameImagesGetIdenticalCodes() throws Exception {
    float[][] images = images(16, 2);
    List<BlockBackend> backends =
        List.of(
            new BlockBackend(network, Device.cpu(), BITS, C, H, W),
            new BlockBackend(network, Device.cpu(), BITS, C, H, W));
    try (var encoder =
            new BatchingEncoder(backends, new EncoderOptions(8, Duration.ofMillis(2), 256));
        ExecutorService threads = Executors.newFixedThreadPool(8)) {
      List<Code> expected = new ArrayList<>();
      for (float[] image : images) {
        expected.add(encoder.submit(image).get(30, TimeUnit.SECONDS).code());
      }
      List<Future<List<Code>>> runs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        Callable<List<Code>> run =
            () -> {
              Code[] codes = new Code[images.length];
              for (int k = 0; k < images.length; k++) {
                int i = (k + offset) % images.length; // each thread in another order
                codes[i] = encoder.submit(images[i]).get(30, TimeUnit.SECONDS).code();
              }
              return List.of(codes);
            };
        runs.add(threads.submit(run));
      }
      for (Future<List<Code>> run : runs) {
        assertThat(run.get(60, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
      }
      assertThat(encoder.stats().meanBatchSize()).isGreaterThan(1.0);
      assertThat(encoder.bits()).isEqualTo(BITS);
    }
  }

  @Test
  void aNetworkWithTheWrongOutputIsReported() {
    try (var backend = new BlockBackend(network, Device.cpu(), 32, C, H, W)) {
      assertThatThrownBy(() -> backend.forward(images(1, 3)[0], 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("expected (1, 32)");
    }
  }
}
