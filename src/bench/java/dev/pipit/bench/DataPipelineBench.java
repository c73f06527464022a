package dev.pipit.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.sun.management.OperatingSystemMXBean;
import dev.pipit.encode.Preprocessing;
import dev.pipit.model.EngineDefaults;
import dev.pipit.train.DataPipeline;
import dev.pipit.train.ImageBatches;
import dev.pipit.train.TrainAugmentation;
import dev.pipit.train.data.DatasetSplit;
import dev.pipit.train.data.ImageDecoder;
import dev.pipit.train.data.ImageFileSplit;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Throughput of training-data preparation as end-to-end training ({@code --backbone full}) does it:
 * {@link ImageBatches} over a file split, JPEG decode (ImageIO, as file-backed datasets decode) +
 * torchvision-style augmentation (random resized crop to 224, flip, ImageNet mean/std) + the batch
 * array, on {@code W} {@link dev.pipit.train.ParallelBatches} workers with every batch of the epoch
 * announced ahead (as the trainer announces an outer iteration's), or on the calling thread for
 * {@code W = 0}; the same files as {@code data_bench.py} feeds PyTorch's DataLoader. No training
 * step runs, so this is the data side's ceiling. One line per case:
 *
 * <pre>
 * data-bench impl=pipit workers=W batch=B prefetch=P images=N seconds=S images_per_s=X cpu_s=C
 *   images_per_cpu_s=Y
 * </pre>
 *
 * Usage: {@code DataPipelineBench [DIR=models/cache/samples] [IMAGES=256] [WORKERS=0,1,2,4]}
 */
public final class DataPipelineBench {

  static final int BATCH = 32;
  static final int PREFETCH = DataPipeline.DEFAULT_PREFETCH;

  private DataPipelineBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "models/cache/samples");
    int images = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    String workerList = args.length > 2 ? args[2] : "0,1,2,4";
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    EngineDefaults.applyOfflineDefaults();
    System.out.println(Machine.describe());
    System.out.printf(
        Locale.ROOT,
        "settings dir=%s files=%d images=%d side=224 batch=%d prefetch=%d decode=imageio"
            + " path=ImageBatches%n",
        dir,
        files.size(),
        images,
        BATCH,
        PREFETCH);
    // The files cycled to `images` items, so every case decodes the same sequence.
    List<Path> cycled = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      cycled.add(files.get(i % files.size()));
      ids.add("i" + i);
    }
    DatasetSplit split = new ImageFileSplit(cycled, new int[images], ids, ImageDecoder.IMAGE_IO);
    TrainAugmentation augmentation = new TrainAugmentation(Preprocessing.torchvisionEval());
    for (String w : workerList.split(",")) {
      DataPipeline pipeline = new DataPipeline(Integer.parseInt(w.strip()), PREFETCH);
      epoch(split, augmentation, pipeline, Math.min(images, 64)); // warm-up: JIT, ImageIO
      long cpuBefore = processCpuNanos();
      double seconds = epoch(split, augmentation, pipeline, images);
      double cpu = (processCpuNanos() - cpuBefore) / 1e9;
      // CPU seconds (all of this process's threads) tell the cost per image on a shared machine,
      // where the wall-clock rate mostly tells the share of the cores the process got.
      System.out.printf(
          Locale.ROOT,
          "data-bench impl=pipit workers=%d batch=%d prefetch=%d images=%d seconds=%.2f"
              + " images_per_s=%.1f cpu_s=%.2f images_per_cpu_s=%.1f%n",
          pipeline.workers(),
          BATCH,
          pipeline.workers() == 0 ? 0 : PREFETCH,
          images,
          seconds,
          images / seconds,
          cpu,
          images / cpu);
    }
    System.out.println(Machine.describe().replace("machine ", "machine-after "));
  }

  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Seconds to take {@code images} images in batches, all announced first. */
  static double epoch(
      DatasetSplit split, TrainAugmentation augmentation, DataPipeline pipeline, int images)
      throws Exception {
    long start = System.nanoTime();
    List<int[]> batches = new ArrayList<>();
    for (int from = 0; from < images; from += BATCH) {
      int n = Math.min(BATCH, images - from);
      int[] items = new int[n];
      for (int i = 0; i < n; i++) {
        items[i] = from + i;
      }
      batches.add(items);
    }
    Random seeds = new Random(1);
    double checksum = 0;
    try (ImageBatches source = new ImageBatches(split, augmentation, null, null, pipeline);
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      source.upcoming(batches, seeds);
      for (int[] items : batches) {
        try (NDArray x = source.batch(items, seeds, manager)) {
          checksum += x.getFloat(0, 0, 0, 0);
        }
      }
    }
    if (checksum == 42) {
      System.out.print(""); // keeps the work observable
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
