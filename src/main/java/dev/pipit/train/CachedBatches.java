package dev.pipit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Random;

/**
 * Mini-batches gathered from backbone maps computed once per image ({@link FeatureExtractor}); the
 * erased copies' maps were computed once too, with masks from the ImageNet backbone.
 *
 * @param database maps of the N database images
 * @param erased maps of their SREM-erased copies (FCAENet), else null
 */
public record CachedBatches(FeatureMaps database, FeatureMaps erased) implements TrainingBatches {

  @Override
  public NDArray batch(int[] items, Random augmentation, NDManager manager) {
    return database.batch(items, manager);
  }

  @Override
  public NDArray erased(int[] items, NDArray x, NDManager manager) {
    if (erased == null) {
      throw new IllegalStateException("no erased maps were cached: SREM was off");
    }
    return erased.batch(items, manager);
  }
}
