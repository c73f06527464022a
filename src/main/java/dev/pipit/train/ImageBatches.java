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
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * The mini-batches of {@link BackboneMode#FULL}: each one decoded from the database split and
 * augmented ({@link TrainAugmentation}), on the training thread when the trainer asks for it or on
 * {@link ParallelBatches} workers up to {@link DataPipeline#prefetch()} batches ahead of it (those
 * the trainer announced with {@link #upcoming}). Each image's augmentation is drawn from its own
 * seed ({@link ParallelBatches#imageSeed}, from one seed per batch taken from the trainer's stream
 * in batch order), so the batches are the same for a seed whatever the worker count and prefetch
 * depth, 0 workers included. SREM's erase masks come from the network being trained, as it is at
 * that step: its last feature map of the batch, computed in inference mode (BatchNorm on running
 * statistics, nothing recorded) before the training forward.
 */
public final class ImageBatches implements TrainingBatches, AutoCloseable {

  private final DatasetSplit database;
  private final TrainAugmentation augmentation;
  private final HashingNetwork network;
  private final SelectiveRegionErasing erasing;
  private final ParallelBatches parallel;

  /** Announced batches not yet submitted to the workers, in order. */
  private final Deque<int[]> announced = new ArrayDeque<>();

  /** Submitted batches not yet taken, in order: what the next {@link #batch} calls must ask for. */
  private final Deque<int[]> inFlight = new ArrayDeque<>();

  private Random announcedStream;

  /**
   * Decoding on the training thread.
   *
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
    this(database, augmentation, network, erasing, DataPipeline.onTrainingThread());
  }

  /**
   * As {@link #ImageBatches(DatasetSplit, TrainAugmentation, HashingNetwork,
   * SelectiveRegionErasing)}, decoding as {@code pipeline} says; close it to stop its workers.
   */
  public ImageBatches(
      DatasetSplit database,
      TrainAugmentation augmentation,
      HashingNetwork network,
      SelectiveRegionErasing erasing,
      DataPipeline pipeline) {
    this.database = database;
    this.augmentation = augmentation;
    this.network = network;
    this.erasing = erasing;
    this.parallel =
        pipeline.workers() == 0
            ? null
            : new ParallelBatches(this::image, pipeline.workers(), pipeline.prefetch());
  }

  /** One augmented image from its own seed. */
  private float[] image(int item, long seed) throws IOException {
    return augmentation.apply(database.image(item), new Random(seed));
  }

  @Override
  public synchronized void upcoming(List<int[]> batches, Random stream) {
    if (parallel == null) {
      return; // decoded when asked for, seeds drawn in the same order
    }
    if (!announced.isEmpty() || !inFlight.isEmpty()) {
      throw new IllegalStateException(
          (announced.size() + inFlight.size()) + " announced batches were not taken");
    }
    for (int[] items : batches) {
      announced.addLast(items.clone());
    }
    announcedStream = stream;
    submitAhead();
  }

  /** Hands announced batches to the workers while the prefetch bound allows. */
  private void submitAhead() {
    while (!announced.isEmpty() && parallel.hasRoom()) {
      int[] items = announced.pollFirst();
      parallel.submit(items, announcedStream.nextLong());
      inFlight.addLast(items);
    }
  }

  @Override
  public NDArray batch(int[] items, Random random, NDManager manager) throws IOException {
    int side = augmentation.side();
    int length = 3 * side * side;
    float[][] images = parallel == null ? onThisThread(items, random) : fromWorkers(items, random);
    float[] data = new float[items.length * length];
    for (int i = 0; i < items.length; i++) {
      System.arraycopy(images[i], 0, data, i * length, length);
    }
    return manager.create(data, new Shape(items.length, 3, side, side));
  }

  private float[][] onThisThread(int[] items, Random random) throws IOException {
    long seed = random.nextLong();
    float[][] images = new float[items.length][];
    for (int i = 0; i < items.length; i++) {
      images[i] = image(items[i], ParallelBatches.imageSeed(seed, i));
    }
    return images;
  }

  private synchronized float[][] fromWorkers(int[] items, Random random) throws IOException {
    if (announced.isEmpty() && inFlight.isEmpty()) {
      parallel.submit(items, random.nextLong()); // not announced: decoded now, same seed order
      inFlight.addLast(items.clone());
    }
    int[] expected = inFlight.pollFirst();
    if (!Arrays.equals(expected, items)) {
      throw new IllegalStateException(
          "asked for a batch other than the one announced next (" + items.length + " items)");
    }
    float[][] images;
    try {
      images = parallel.next();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while decoding a batch", e);
    }
    submitAhead();
    return images;
  }

  /** Stops the decode workers, if any, dropping what they prepared ahead. */
  @Override
  public synchronized void close() {
    announced.clear();
    inFlight.clear();
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
