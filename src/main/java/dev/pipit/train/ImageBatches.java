package dev.pipit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.InferenceScope;
import dev.pipit.model.ResNet50;
import dev.pipit.train.data.DatasetSplit;
import java.io.IOException;
import java.util.Random;

/**
 * The mini-batches of {@link BackboneMode#FULL}: each one decoded from the database split and
 * augmented ({@link TrainAugmentation}) when the trainer asks for it, so only one batch of images
 * is ever in memory. SREM's erase masks come from the network being trained, as it is at that step:
 * its last feature map of the batch, computed in inference mode (BatchNorm on running statistics,
 * nothing recorded) before the training forward.
 */
public final class ImageBatches implements TrainingBatches, AutoCloseable {

  private final DatasetSplit database;
  private final TrainAugmentation augmentation;
  private final HashingNetwork network;
  private final SelectiveRegionErasing erasing;
  private final ParallelBatches parallel;

  /**
   * @param database the database (training) split, indexed as the trainer's database items
   * @param augmentation train-time augmentation to the network's input side
   * @param network the network being trained (read for SREM's attention)
   * @param erasing SREM settings (FCAENet), else null
   */
  public ImageBatches(
      DatasetSplit database,
      TrainAugmentation augmentation,
      HashingNetwork network,
      SelectiveRegionErasing erasing) {
    this.database = database;
    this.augmentation = augmentation;
    this.network = network;
    this.erasing = erasing;
    this.parallel = null;
  }

  /**
   * As {@link #ImageBatches(DatasetSplit, TrainAugmentation, HashingNetwork,
   * SelectiveRegionErasing)} with each batch's images decoded and augmented on {@code workers}
   * threads ({@link ParallelBatches}); the result depends on the seed only, not on the worker
   * count.
   */
  public ImageBatches(
      DatasetSplit database,
      TrainAugmentation augmentation,
      HashingNetwork network,
      SelectiveRegionErasing erasing,
      int workers) {
    this.database = database;
    this.augmentation = augmentation;
    this.network = network;
    this.erasing = erasing;
    this.parallel =
        new ParallelBatches(
            (item, seed) -> augmentation.apply(database.image(item), new Random(seed)), workers, 1);
  }

  @Override
  public NDArray batch(int[] items, Random random, NDManager manager) throws IOException {
    int side = augmentation.side();
    int length = 3 * side * side;
    float[] data = new float[items.length * length];
    if (parallel != null) {
      parallel.submit(items, random.nextLong());
      float[][] images;
      try {
        images = parallel.next();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while decoding a batch", e);
      }
      for (int i = 0; i < items.length; i++) {
        System.arraycopy(images[i], 0, data, i * length, length);
      }
    } else {
      for (int i = 0; i < items.length; i++) {
        System.arraycopy(
            augmentation.apply(database.image(items[i]), random), 0, data, i * length, length);
      }
    }
    return manager.create(data, new Shape(items.length, 3, side, side));
  }

  /** Stops the decode workers, if any. */
  @Override
  public void close() {
    if (parallel != null) {
      parallel.close();
    }
  }

  /** x ⊙ mask, the mask of each image from {@link #masks}. */
  @Override
  public NDArray erased(int[] items, NDArray x, NDManager manager) {
    int side = augmentation.side();
    NDArray mask = manager.create(masks(x), new Shape(items.length, 1, side, side));
    return x.mul(mask);
  }

  /**
   * SREM's erase masks of a batch of network inputs (B, 3, H, W): B·H·W floats, 1 keeps, 0 erases.
   */
  float[] masks(NDArray x) {
    if (erasing == null) {
      throw new IllegalStateException("SREM is off for this run");
    }
    int batch = (int) x.getShape().get(0);
    int side = augmentation.side();
    float[] maps;
    try (InferenceScope scope = InferenceScope.enter();
        NDArray last =
            network
                .backbone()
                .forward(new ParameterStore(x.getManager(), false), new NDList(x), false)
                .singletonOrThrow()) {
      maps = last.toFloatArray();
    }
    int h = (int) ResNet50.outSize(side);
    int length = ResNet50.FEATURES * h * h;
    float[] masks = new float[batch * side * side];
    for (int b = 0; b < batch; b++) {
      float[] mask = erasing.mask(maps, b * length, ResNet50.FEATURES, h, h, side, side);
      System.arraycopy(mask, 0, masks, b * side * side, mask.length);
    }
    return masks;
  }
}
