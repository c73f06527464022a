package dev.pipit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import java.util.Random;

/**
 * Where {@link AdshTrainer} takes its mini-batches from, by database index: cached backbone maps
 * ({@link CachedBatches}, for {@link BackboneMode#FROZEN} and {@link BackboneMode#LAST_STAGE}) or
 * images decoded and augmented batch by batch ({@link ImageBatches}, for {@link
 * BackboneMode#FULL}). The trainer feeds whatever it gets to {@link BackboneMode#forward}.
 */
public interface TrainingBatches {

  /**
   * The training input of database items {@code items}, in that order.
   *
   * @param augmentation the random stream of train-time augmentation (unused by cached maps)
   * @param manager owns the returned array
   */
  NDArray batch(int[] items, Random augmentation, NDManager manager) throws IOException;

  /**
   * The SREM-erased copies of {@code items} (FCAENet), in the same form as {@link #batch}.
   *
   * @param x the training input of those items, as {@link #batch} returned it
   * @throws IllegalStateException if this source was built without SREM
   */
  NDArray erased(int[] items, NDArray x, NDManager manager);

  /**
   * Announces the next {@link #batch} calls: they will ask for {@code batches}, in this order, all
   * with {@code augmentation}, and nothing else will draw from {@code augmentation} meanwhile. A
   * source that prepares images ahead ({@link ImageBatches} with workers) starts on them now, so
   * decoding overlaps the training steps; the batches it returns are the same as without the
   * announcement. Cached sources ignore it.
   *
   * @throws IllegalStateException if batches announced earlier were not all taken yet
   */
  default void upcoming(List<int[]> batches, Random augmentation) {}
}
