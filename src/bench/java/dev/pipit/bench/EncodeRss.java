package dev.pipit.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.BlockBackend;
import dev.pipit.encode.EncoderOptions;
import dev.pipit.model.BatchNormFolding;
import dev.pipit.model.EngineDefaults;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.compile.CompileMode;
import dev.pipit.model.compile.CompiledNetwork;
import dev.pipit.model.compile.ServingCompiler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak RSS of a JVM that does what the service does to encode: loads AGMH with the ImageNet
 * backbone, folds BN, compiles it ({@link ServingCompiler}) and frees the eager network as {@code
 * LoadedModel} does (unless {@code --compile off}), and serves a {@link BatchingEncoder} (max batch
 * 32) under load from concurrent clients. Run in its own JVM ({@code make bench-encode} does) so
 * nothing else inflates the numbers.
 */
public final class EncodeRss {

  private static final int SIDE = 224;

  private EncodeRss() {}

  /**
   * @param args {@code [--images 256] [--clients 64] [--max-batch 32] [--compile auto|off]}
   */
  public static void main(String[] args) throws Exception {
    int images = 256;
    int clients = 64;
    int maxBatch = 32;
    CompileMode compile = CompileMode.AUTO;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--images" -> images = Integer.parseInt(args[i + 1]);
        case "--clients" -> clients = Integer.parseInt(args[i + 1]);
        case "--max-batch" -> maxBatch = Integer.parseInt(args[i + 1]);
        case "--compile" -> compile = CompileMode.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    EngineDefaults.applyOfflineDefaults();
    long start = Machine.statusKib("VmRSS");
    try (NDManager manager = NDManager.newBaseManager()) {
      NDManager eagerManager = manager.newSubManager();
      HashingNetwork net = BenchNetwork.agmh(eagerManager, 48, SIDE, 68);
      BatchNormFolding.fold(net);
      CompiledNetwork compiled = null;
      Block block = net;
      if (compile == CompileMode.AUTO) {
        compiled = ServingCompiler.compile(net, Device.cpu(), SIDE);
        eagerManager.close();
        block = compiled.block();
      }
      System.out.println(
          "encode-rss serving " + (compiled == null ? "eager DJL blocks" : compiled.description()));
      float[][] inputs = BenchNetwork.inputs(clients, SIDE, 69);
      System.gc();
      long loaded = Machine.statusKib("VmRSS");
      long loadedPeak = Machine.statusKib("VmHWM");
      AtomicLong sampledPeak = new AtomicLong();
      Thread sampler = Thread.ofPlatform().daemon().start(() -> sample(sampledPeak));
      long t0 = System.nanoTime();
      try (BatchingEncoder encoder =
          new BatchingEncoder(
              List.of(new BlockBackend(block, Device.cpu(), 48, 3, SIDE, SIDE)),
              new EncoderOptions(maxBatch, Duration.ofMillis(20), 4 * clients))) {
        // Closed loop: each client resubmits as soon as its code is back, so batches stay full.
        int perClient = Math.max(1, images / clients);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          running.add(CompletableFuture.completedFuture(null));
        }
        for (int round = 0; round < perClient; round++) {
          for (int c = 0; c < clients; c++) {
            float[] input = inputs[c];
            running.set(
                c, running.get(c).thenCompose(v -> encoder.submit(input).thenApply(e -> null)));
          }
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        var stats = encoder.stats();
        sampler.interrupt();
        System.out.printf(
            Locale.ROOT,
            "encode-rss images=%d clients=%d batches=%d (mean %.1f images) %.1f img/s%n",
            stats.images(),
            clients,
            stats.batches(),
            stats.images() / (double) stats.batches(),
            stats.images() / seconds);
      }
      System.out.printf(
          Locale.ROOT,
          "encode-rss jvm start %s; network loaded %s (peak while importing %s); peak while"
              + " encoding %s (VmHWM %s); heap max %s%n",
          Machine.mib(start),
          Machine.mib(loaded),
          Machine.mib(loadedPeak),
          Machine.mib(sampledPeak.get()),
          Machine.mib(Machine.statusKib("VmHWM")),
          Machine.mib(Runtime.getRuntime().maxMemory() / 1024));
      if (compiled != null) {
        compiled.close();
      }
    }
  }

  private static void sample(AtomicLong peak) {
    while (!Thread.currentThread().isInterrupted()) {
      peak.accumulateAndGet(Machine.statusKib("VmRSS"), Math::max);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
