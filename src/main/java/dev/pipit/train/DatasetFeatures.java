package dev.pipit.train;

import ai.djl.ndarray.NDManager;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.Preprocessing;
import dev.pipit.model.ResNet50;
import dev.pipit.train.data.Dataset;
import java.io.IOException;

/**
 * Frozen-backbone feature maps, taken at a {@link FeatureCut}, of a dataset's database (train) and
 * query (test) splits, read from a {@link FeatureCache} when present and computed with a {@link
 * FeatureExtractor} otherwise.
 *
 * @param database maps of the database images
 * @param erased maps of their SREM-erased copies (FCAENet), else null
 * @param queries maps of the query images
 */
public record DatasetFeatures(FeatureMaps database, FeatureMaps erased, FeatureMaps queries) {

  /**
   * What identifies a dataset's features, apart from the split.
   *
   * @param dataset dataset kind and root
   * @param trainPerClass database subset (0 = all)
   * @param testPerClass query subset (0 = all)
   * @param inputSize network input side
   * @param backboneId identity of the backbone weights ({@link FeatureCache#backboneId})
   */
  public record Source(
      String dataset, int trainPerClass, int testPerClass, int inputSize, String backboneId) {

    FeatureCache.Key key(String split, String variant) {
      return new FeatureCache.Key(
          dataset, split, trainPerClass, testPerClass, inputSize, backboneId, variant);
    }
  }

  /**
   * Loads or computes the features.
   *
   * @param dataset the loaded (subset) dataset
   * @param source its cache identity
   * @param backbone initialised backbone with the weights named by {@code source.backboneId()}
   * @param preprocessing image to network input
   * @param erasing SREM settings when erased copies are needed, else null
   * @param cache the cache (possibly {@link FeatureCache#disabled()})
   * @param manager the device manager
   * @param listener told the extraction progress
   */
  public static DatasetFeatures of(
      Dataset dataset,
      Source source,
      ResNet50 backbone,
      Preprocessing preprocessing,
      SelectiveRegionErasing erasing,
      FeatureCache cache,
      NDManager manager,
      TrainingListener listener)
      throws IOException {
    return of(
        dataset,
        source,
        FeatureCut.STAGE4,
        backbone,
        preprocessing,
        erasing,
        cache,
        manager,
        listener);
  }

  /** As above, with the maps taken at {@code cut} (its own cache entries). */
  public static DatasetFeatures of(
      Dataset dataset,
      Source source,
      FeatureCut cut,
      ResNet50 backbone,
      Preprocessing preprocessing,
      SelectiveRegionErasing erasing,
      FeatureCache cache,
      NDManager manager,
      TrainingListener listener)
      throws IOException {
    FeatureExtractor extractor =
        new FeatureExtractor(backbone, new ImagePreprocessor(preprocessing), manager, 32, cut);
    int n = dataset.train().size();
    FeatureCache.Key plainKey = source.key("train", "plain" + cut.cacheSuffix());
    FeatureCache.Key erasedKey =
        erasing == null
            ? null
            : plainKey.withVariant(
                "erased-n" + erasing.regions() + "-s" + erasing.size() + cut.cacheSuffix());
    FeatureMaps database = cache.get(plainKey);
    FeatureMaps erased = erasedKey == null ? null : cache.get(erasedKey);
    if (database == null || (erasedKey != null && erased == null)) {
      FeatureExtractor.Extracted extracted =
          extractor.extract(
              dataset.train(),
              TrainingRun.range(n),
              erasing,
              done -> listener.onFeatures("database", done, n));
      database = extracted.plain();
      erased = extracted.erased();
      cache.put(plainKey, database);
      if (erasedKey != null) {
        cache.put(erasedKey, erased);
      }
    }
    int q = dataset.test().size();
    FeatureMaps queries =
        cache.getOrCompute(
            source.key("test", "plain" + cut.cacheSuffix()),
            () ->
                extractor
                    .extract(
                        dataset.test(),
                        TrainingRun.range(q),
                        null,
                        done -> listener.onFeatures("queries", done, q))
                    .plain());
    return new DatasetFeatures(database, erased, queries);
  }

  /** Global average pooling of each map: N vectors of C floats (the classical baselines' input). */
  public static float[][] pooled(FeatureMaps maps) {
    int hw = maps.height() * maps.width();
    float[][] out = new float[maps.count()][maps.channels()];
    float[] data = maps.data();
    for (int i = 0; i < maps.count(); i++) {
      int base = i * maps.length();
      for (int c = 0; c < maps.channels(); c++) {
        double sum = 0;
        int off = base + c * hw;
        for (int p = 0; p < hw; p++) {
          sum += data[off + p];
        }
        out[i][c] = (float) (sum / hw);
      }
    }
    return out;
  }
}
