package dev.pipit.cli;

import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.DecodePool;
import dev.pipit.encode.EncoderOptions;
import dev.pipit.encode.ImageDecoder;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.LoadedModel;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.DemoGallery;
import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryListener;
import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.ImageStore;
import dev.pipit.gallery.ServingModel;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.model.DevicePreference;
import dev.pipit.model.EngineDefaults;
import dev.pipit.model.EngineDevice;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.compile.CompileMode;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import dev.pipit.train.data.DatasetSplit;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipit eval-demo}: what {@code make run} serves, measured. Builds the demo gallery exactly
 * as the service does ({@link DemoGallery} through {@link GalleryItems}: PNG bytes → decoder →
 * encoder → {@link HammingIndex}), then searches it with held-out test images (after the gallery
 * and the 20 demo queries) through {@link GallerySearch}, in the exact Hamming order and rescored,
 * and prints precision@10, mAP over the whole gallery and the codes' bucket occupancy.
 */
@Command(
    name = "eval-demo",
    mixinStandardHelpOptions = true,
    description =
        "Measure what make run serves: the demo gallery, network-encoded, searched with held-out"
            + " test images (precision@10, mAP, bucket occupancy; Hamming order and rescored).")
final class EvalDemoCommand implements Callable<Integer> {

  /** The demo's example queries that follow the gallery in the test split. */
  private static final int DEMO_QUERIES = 20;

  private static final int K = 10;
  private static final int IN_FLIGHT = 32;

  @Option(names = "--model", required = true, description = "model artifact directory")
  Path model;

  @Option(
      names = "--gallery",
      defaultValue = "1000",
      description = "demo gallery size, as pipit.demo.gallery-size (default: ${DEFAULT-VALUE})")
  int gallery;

  @Option(
      names = "--queries",
      defaultValue = "2000",
      description = "held-out test images to search with (default: ${DEFAULT-VALUE})")
  int queries;

  @Option(
      names = "--data-root",
      description =
          "dataset directory (default for fashion-mnist: " + "/usr/share/datasets/fashion-mnist)")
  Path dataRoot;

  @Option(
      names = "--export-codes",
      description =
          "also write the served codes as text: 'gallery <hex>' per gallery item, then 'query"
              + " <hex>' per held-out query (the scale search benchmark's real codes)")
  Path exportCodes;

  @Option(
      names = "--rescore-window",
      defaultValue = "1000",
      description = "as pipit.serving.rescore-window (default: ${DEFAULT-VALUE})")
  int rescoreWindow;

  @Override
  public Integer call() throws Exception {
    EngineDefaults.applyOfflineDefaults();
    Dataset dataset =
        DatasetLoader.load(
            "fashion-mnist",
            dataRoot != null ? dataRoot : Path.of("/usr/share/datasets/fashion-mnist"));
    DatasetSplit test = dataset.test();
    int first = gallery + DEMO_QUERIES;
    if (gallery < 1 || queries < 1 || first + queries > test.size()) {
      throw new IllegalArgumentException(
          "gallery + 20 + queries must fit the " + test.size() + " test images");
    }
    Path scratch = Files.createTempDirectory("pipit-eval-demo");
    ModelArtifact artifact = ModelArtifact.open(model);
    EngineDevice engine = EngineDevice.resolve(DevicePreference.AUTO);
    LoadedModel loaded = LoadedModel.load(artifact, engine.device(), CompileMode.AUTO);
    try (DecodePool decodePool = new DecodePool(0, 64)) {
      BatchingEncoder batching =
          new BatchingEncoder(loaded.backends(1), new EncoderOptions(8, Duration.ofMillis(5), 64));
      ImageEncoder encoder =
          new ImageEncoder(
              new ImageDecoder(20L << 20, 40_000_000L),
              new ImagePreprocessor(loaded.preprocessing()),
              batching,
              decodePool,
              64);
      HammingIndex index =
          HammingIndex.inMemory(
              IndexOptions.of(artifact.manifest().bits(), artifact.fingerprint()));
      try (ActiveModel active =
          new ActiveModel(new ServingModel(loaded, encoder, index, batching))) {
        GalleryCodec codec = new GalleryCodec();
        Duration timeout = Duration.ofMinutes(5);
        GalleryItems items =
            new GalleryItems(
                active, ImageStore.open(scratch.resolve("originals"), 1L << 30), codec, timeout);
        long start = System.nanoTime();
        DemoGallery.load(
            active,
            items,
            DemoGallery.Images.of(
                test.size(), test::label, dataset.classes(), test::id, test::image),
            gallery,
            0,
            scratch);
        System.err.printf(
            Locale.ROOT, "gallery: %d images indexed in %.1f s%n", index.size(), seconds(start));
        Map<String, String> labels = new HashMap<>();
        Map<String, Integer> perClass = new HashMap<>();
        for (int i = 0; i < gallery; i++) {
          String label = dataset.classes().get(test.label(i));
          labels.put(String.format("demo-%05d", i), label);
          perClass.merge(label, 1, Integer::sum);
        }
        start = System.nanoTime();
        List<float[]> outputs = encode(encoder, test, first, queries);
        System.err.printf(
            Locale.ROOT, "queries: %d encoded in %.1f s%n", outputs.size(), seconds(start));
        GallerySearch search =
            new GallerySearch(
                active, codec, gallery, timeout, true, rescoreWindow, GalleryListener.NONE);
        DemoQuality.Precision hamming = new DemoQuality.Precision();
        DemoQuality.Precision rescored = new DemoQuality.Precision();
        DemoQuality.Confusion confusion = new DemoQuality.Confusion();
        int tiedTop = 0;
        for (int q = 0; q < outputs.size(); q++) {
          float[] values = outputs.get(q);
          String label = dataset.classes().get(test.label(first + q));
          int relevant = perClass.getOrDefault(label, 0);
          for (boolean rescore : new boolean[] {false, true}) {
            List<GallerySearch.Hit> top =
                search.byValues(values, new GallerySearch.Query(K, null, null, rescore)).hits();
            List<GallerySearch.Hit> all =
                search
                    .byValues(values, new GallerySearch.Query(gallery, null, null, rescore))
                    .hits();
            (rescore ? rescored : hamming).add(top, all, label, K, relevant);
            if (rescore) {
              confusion.add(label, top);
            }
            if (!rescore) {
              tiedTop += (int) top.stream().filter(h -> h.distance() == 0).count();
            }
          }
        }
        if (exportCodes != null) {
          writeCodes(index, outputs, exportCodes);
        }
        DemoQuality.Occupancy occupancy = DemoQuality.occupancy(index, labels);
        print(artifact, outputs.size(), hamming, rescored, occupancy, tiedTop);
        System.out.printf(Locale.ROOT, "top-%d by query class (rescored):%n", K);
        confusion.lines(3).forEach(line -> System.out.println("  " + line));
      }
    } finally {
      deleteTree(scratch);
    }
    return 0;
  }

  /** Removes the scratch gallery (kept originals, thumbnails): nothing of it is worth keeping. */
  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void print(
      ModelArtifact artifact,
      int queryCount,
      DemoQuality.Precision hamming,
      DemoQuality.Precision rescored,
      DemoQuality.Occupancy o,
      int tiedTop) {
    System.out.printf(
        Locale.ROOT,
        "model %s (%s, %d bits): gallery %d network-encoded test images, %d held-out test"
            + " queries (test images %d..%d)%n",
        artifact.manifest().name(),
        artifact.manifest().architecture(),
        artifact.manifest().bits(),
        gallery,
        queryCount,
        gallery + DEMO_QUERIES,
        gallery + DEMO_QUERIES + queryCount - 1);
    System.out.printf(
        Locale.ROOT,
        "hamming order:  precision@%d %.4f  mAP %.4f%n",
        K,
        hamming.precision(),
        hamming.map());
    System.out.printf(
        Locale.ROOT,
        "rescored:       precision@%d %.4f  mAP %.4f  (window %d)%n",
        K,
        rescored.precision(),
        rescored.map(),
        rescoreWindow);
    System.out.printf(
        Locale.ROOT,
        "occupancy: %d distinct codes for %d items, largest bucket %d items (%d classes),"
            + " bits set in %.2f..%.2f of items; %.1f%% of top-%d hits at distance 0%n",
        o.distinct(),
        o.items(),
        o.largest(),
        o.largestLabels(),
        o.minOnes(),
        o.maxOnes(),
        100.0 * tiedTop / (queryCount * K),
        K);
  }

  /** The gallery's codes in insertion order, then the queries' sign codes, one hex per line. */
  private static void writeCodes(HammingIndex index, List<float[]> queries, Path file)
      throws IOException {
    List<String> lines = new ArrayList<>();
    index.forEach(entry -> lines.add("gallery " + entry.code().toHex()));
    for (float[] values : queries) {
      lines.add("query " + Code.fromSigns(values).toHex());
    }
    Files.write(file, lines);
    System.err.printf(Locale.ROOT, "codes: %d lines written to %s%n", lines.size(), file);
  }

  /** Encodes test images {@code from ..} as PNG bytes through the serving encoder. */
  private static List<float[]> encode(ImageEncoder encoder, DatasetSplit test, int from, int n)
      throws IOException {
    List<float[]> outputs = new ArrayList<>();
    for (int start = 0; start < n; start += IN_FLIGHT) {
      List<CompletableFuture<ImageEncoder.Result>> window = new ArrayList<>();
      for (int i = start; i < Math.min(n, start + IN_FLIGHT); i++) {
        window.add(encoder.encode(png(test.image(from + i))));
      }
      for (CompletableFuture<ImageEncoder.Result> f : window) {
        outputs.add(f.join().values());
      }
    }
    return outputs;
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
