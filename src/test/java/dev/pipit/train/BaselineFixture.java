package dev.pipit.train;

import dev.pipit.model.Architecture;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import dev.pipit.train.data.LoadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A tiny Fashion-MNIST slice (3 database and 2 query images per class) whose backbone features are
 * put into a feature cache beforehand: 16 channels of 1×1 maps, class-dependent plus noise, under
 * the identity of a fake backbone directory. Baselines and {@code pipit eval} then run in well
 * under a second without the real ResNet-50.
 */
public final class BaselineFixture {

  public static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
  public static final int TRAIN_PER_CLASS = 3;
  public static final int TEST_PER_CLASS = 2;
  public static final int INPUT = 32;

  /** The fake backbone's model.json. */
  public final Path backbone;

  /** The seeded cache directory. */
  public final Path cache;

  /** Pooled database features (what the hashers see). */
  public final float[][] database;

  /** Pooled query features. */
  public final float[][] queries;

  private BaselineFixture(Path backbone, Path cache, float[][] database, float[][] queries) {
    this.backbone = backbone;
    this.cache = cache;
    this.database = database;
    this.queries = queries;
  }

  /** Creates the fake backbone and the seeded cache under {@code dir}. */
  public static BaselineFixture create(Path dir) throws IOException {
    Path backboneDir = Files.createDirectories(dir.resolve("backbone"));
    Path json = backboneDir.resolve("model.json");
    Files.writeString(json, "{\"fake\": true}");
    Path cacheDir = dir.resolve("features");
    Dataset d =
        DatasetLoader.load(
            "fashion-mnist",
            FASHION,
            LoadOptions.defaults().withSubset(TRAIN_PER_CLASS, TEST_PER_CLASS));
    DatasetFeatures.Source source =
        new DatasetFeatures.Source(
            "fashion-mnist:" + FASHION.toAbsolutePath().normalize(),
            TRAIN_PER_CLASS,
            TEST_PER_CLASS,
            INPUT,
            FeatureCache.backboneId(json));
    FeatureCache cache = new FeatureCache(cacheDir);
    FeatureMaps db = maps(d.train().labels(), 1);
    FeatureMaps q = maps(d.test().labels(), 2);
    cache.put(source.key("train", "plain"), db);
    cache.put(source.key("test", "plain"), q);
    return new BaselineFixture(
        json, cacheDir, DatasetFeatures.pooled(db), DatasetFeatures.pooled(q));
  }

  /** A plan for {@code out} using this fixture (its settings only give the input size). */
  public TrainingRun.Plan plan(String name, Path out) {
    return new TrainingRun.Plan(
        name,
        TrainingSettings.cpuProtocol(Architecture.ADSH_R50, 8)
            .withInput(INPUT, BackboneMode.FROZEN),
        "fashion-mnist",
        FASHION,
        TRAIN_PER_CLASS,
        TEST_PER_CLASS,
        backbone,
        out,
        false,
        1,
        "test",
        cache);
  }

  private static FeatureMaps maps(int[] labels, long seed) {
    Random random = new Random(seed);
    int c = 16;
    float[] data = new float[labels.length * c];
    for (int i = 0; i < labels.length; i++) {
      for (int k = 0; k < c; k++) {
        data[i * c + k] = (k == labels[i] ? 3f : 0f) + (float) random.nextGaussian() * 0.3f;
      }
    }
    return new FeatureMaps(data, labels.length, c, 1, 1);
  }
}
