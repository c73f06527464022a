package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import dev.pipit.train.data.LoadOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End-to-end training's image batches on real Fashion-MNIST images: the same batches for a seed
 * with 0, 1 or 3 workers, announced ahead or not, and whatever the prefetch depth; a batch other
 * than the announced one is refused; close stops the workers.
 */
class ImageBatchesTests {

  private static final int SIDE = 32;

  private static Dataset dataset;

  @BeforeAll
  static void load() throws Exception {
    dataset =
        DatasetLoader.load(
            "fashion-mnist", TrainingRunTests.FASHION, LoadOptions.defaults().withSubset(4, 1));
  }

  private static ImageBatches batches(DataPipeline pipeline) {
    return new ImageBatches(
        dataset.train(),
        new TrainAugmentation(TrainingRun.preprocessing(SIDE)),
        null, // the network is read for SREM only
        null,
        pipeline);
  }

  /** Six batches as a trainer's outer iteration takes them, optionally announced first. */
  private static List<float[]> take(DataPipeline pipeline, boolean announce) throws Exception {
    List<int[]> plan = new ArrayList<>();
    Random order = new Random(3);
    for (int b = 0; b < 6; b++) {
      int[] items = new int[5];
      for (int i = 0; i < items.length; i++) {
        items[i] = order.nextInt(dataset.train().size());
      }
      plan.add(items);
    }
    Random augmentation = AdshTrainer.augmentationRandom(68, 0);
    List<float[]> out = new ArrayList<>();
    try (ImageBatches batches = batches(pipeline);
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      if (announce) {
        batches.upcoming(plan, augmentation);
      }
      for (int[] items : plan) {
        out.add(batches.batch(items, augmentation, manager).toFloatArray());
      }
    }
    return out;
  }

  @Test
  void theBatchesDependOnTheSeedOnlyNotOnWorkersOrPrefetch() throws Exception {
    List<float[]> reference = take(DataPipeline.onTrainingThread(), false);
    assertThat(reference.get(0)).hasSize(5 * 3 * SIDE * SIDE);
    assertThat(reference.get(0)).as("augmented, not constant").isNotEqualTo(reference.get(1));
    for (DataPipeline pipeline :
        List.of(
            new DataPipeline(1, 1),
            new DataPipeline(3, 4),
            new DataPipeline(2, 64),
            DataPipeline.onTrainingThread())) {
      for (boolean announce : new boolean[] {false, true}) {
        List<float[]> batches = take(pipeline, announce);
        for (int b = 0; b < reference.size(); b++) {
          assertThat(batches.get(b))
              .as("batch %d, %s, announced %s", b, pipeline, announce)
              .isEqualTo(reference.get(b));
        }
      }
    }
  }

  @Test
  void aBatchOtherThanTheAnnouncedOneIsRefused() throws Exception {
    Random augmentation = new Random(1);
    try (ImageBatches batches = batches(new DataPipeline(2, 2));
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      batches.upcoming(List.of(new int[] {1, 2}, new int[] {3, 4}), augmentation);
      assertThatThrownBy(() -> batches.upcoming(List.of(new int[] {5}), augmentation))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not taken");
      assertThatThrownBy(() -> batches.batch(new int[] {3, 4}, augmentation, manager))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("other than the one announced");
    }
  }

  @Test
  void closeStopsTheWorkers() throws Exception {
    ImageBatches batches = batches(new DataPipeline(3, 4));
    List<int[]> plan = new ArrayList<>();
    for (int b = 0; b < 8; b++) {
      plan.add(new int[] {b, b + 1, b + 2});
    }
    batches.upcoming(plan, new Random(2));
    assertThat(dataThreads()).isPositive();
    batches.close();
    assertThat(dataThreadsAfterClose()).as("decode threads left after close").isZero();
  }

  private static long dataThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("pipit-data-") && t.isAlive())
        .count();
  }

  /**
   * Decode threads still alive shortly after a close: a pool's last worker may still be finishing
   * its exit when close returns, so this waits up to a second for them.
   */
  static long dataThreadsAfterClose() throws InterruptedException {
    for (int i = 0; i < 100 && dataThreads() > 0; i++) {
      Thread.sleep(10);
    }
    return dataThreads();
  }
}
