package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk feature cache: exact round trip, hits and misses, and every key part invalidates. */
class FeatureCacheTests {

  @TempDir Path dir;

  static final FeatureCache.Key KEY =
      new FeatureCache.Key("fashion-mnist:/data", "train", 100, 20, 64, "abc123", "plain");

  static FeatureMaps maps(int n, float offset) {
    float[] data = new float[n * 3 * 2 * 2];
    for (int i = 0; i < data.length; i++) {
      data[i] = offset + i * 0.25f - 7f;
    }
    return new FeatureMaps(data, n, 3, 2, 2);
  }

  @Test
  void storesAndReadsMapsExactly() throws IOException {
    FeatureCache cache = new FeatureCache(dir);
    FeatureMaps original = maps(5, 1f);
    assertThat(cache.get(KEY)).isNull();
    cache.put(KEY, original);
    FeatureMaps read = cache.get(KEY);
    assertThat(read.data()).containsExactly(original.data());
    assertThat(read.count()).isEqualTo(5);
    assertThat(read.channels()).isEqualTo(3);
    assertThat(read.height()).isEqualTo(2);
    assertThat(read.width()).isEqualTo(2);
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void everyKeyPartInvalidates() throws IOException {
    FeatureCache cache = new FeatureCache(dir);
    cache.put(KEY, maps(2, 0f));
    assertThat(
            cache.get(
                new FeatureCache.Key("cub200:/data", "train", 100, 20, 64, "abc123", "plain")))
        .isNull();
    assertThat(
            cache.get(
                new FeatureCache.Key(
                    "fashion-mnist:/data", "test", 100, 20, 64, "abc123", "plain")))
        .isNull();
    assertThat(
            cache.get(
                new FeatureCache.Key(
                    "fashion-mnist:/data", "train", 50, 20, 64, "abc123", "plain")))
        .isNull();
    assertThat(
            cache.get(
                new FeatureCache.Key(
                    "fashion-mnist:/data", "train", 100, 10, 64, "abc123", "plain")))
        .isNull();
    assertThat(
            cache.get(
                new FeatureCache.Key(
                    "fashion-mnist:/data", "train", 100, 20, 32, "abc123", "plain")))
        .isNull();
    assertThat(
            cache.get(
                new FeatureCache.Key(
                    "fashion-mnist:/data", "train", 100, 20, 64, "abc124", "plain")))
        .isNull();
    assertThat(cache.get(KEY.withVariant("erased-n50-s16"))).isNull();
    assertThat(cache.get(KEY)).isNotNull();
  }

  @Test
  void truncatedOrForeignFilesAreMisses() throws IOException {
    FeatureCache cache = new FeatureCache(dir);
    cache.put(KEY, maps(4, 0f));
    Path file;
    try (var files = Files.list(dir)) {
      file = files.findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 9));
    assertThat(cache.get(KEY)).isNull();
    Files.writeString(file, "not a cache file");
    assertThat(cache.get(KEY)).isNull();
  }

  @Test
  void getOrComputeComputesOnceAndDisabledCacheNeverStores() throws IOException {
    FeatureCache cache = new FeatureCache(dir);
    AtomicInteger computed = new AtomicInteger();
    FeatureCache.Computation compute =
        () -> {
          computed.incrementAndGet();
          return maps(3, 2f);
        };
    FeatureMaps first = cache.getOrCompute(KEY, compute);
    FeatureMaps second = cache.getOrCompute(KEY, compute);
    assertThat(computed).hasValue(1);
    assertThat(second.data()).containsExactly(first.data());

    FeatureCache off = FeatureCache.disabled();
    off.getOrCompute(KEY, compute);
    off.getOrCompute(KEY, compute);
    assertThat(computed).hasValue(3);
    assertThat(off.enabled()).isFalse();
  }

  @Test
  void backboneIdCoversEveryFileOfTheWeightsDirectory() throws IOException {
    Path a = Files.createDirectories(dir.resolve("a"));
    Files.writeString(a.resolve("model.json"), "{}");
    Files.write(a.resolve("shard1.bin"), new byte[] {1, 2, 3});
    Path b = Files.createDirectories(dir.resolve("b"));
    Files.writeString(b.resolve("model.json"), "{}");
    Files.write(b.resolve("shard1.bin"), new byte[] {1, 2, 4});
    assertThat(FeatureCache.backboneId(a.resolve("model.json")))
        .hasSize(64)
        .isNotEqualTo(FeatureCache.backboneId(b.resolve("model.json")));
  }

  @Test
  void pooledAveragesEachChannel() {
    FeatureMaps m = new FeatureMaps(new float[] {1, 2, 3, 4, 10, 10, 10, 10}, 1, 2, 2, 2);
    assertThat(DatasetFeatures.pooled(m)[0]).containsExactly(2.5f, 10f);
  }
}
