package dev.pipit.index.jmh;

import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.SearchHit;
import dev.pipit.index.SearchStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Linear top-k scans through {@link HammingIndex#search} and {@link HammingIndex#searchBatch} over
 * uniform random codes. Throughput per core = codes (or query × code pairs) per second with {@code
 * threads} = 1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-modules",
      "jdk.incubator.vector",
      "-Xms6g",
      "-Xmx6g",
      "-XX:+AlwaysPreTouch",
      "-XX:+UseParallelGC"
    })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 7, time = 1)
public class ScanBenchmark {

  @Param({"64", "128", "256"})
  public int bits;

  @Param({"1000000", "10000000"})
  public int n;

  @Param({"10", "100"})
  public int k;

  @Param({"1"})
  public int threads;

  /**
   * Batched path for one-word codes: {@code bitsliced} (the default choice) or {@code popcount}.
   */
  @Param({"bitsliced"})
  public String batchKernel;

  /**
   * Queries per {@link #batch} call. The bit-sliced kernel's per-tile work is shared by the batch,
   * so larger batches answer more pairs per second (up to the L1-resident scratch, about 64
   * queries).
   */
  @Param({"32"})
  public int queries;

  private HammingIndex index;
  private Code[] singleQueries;
  private List<Code> batchQueries;
  private int next;

  @Setup(Level.Trial)
  public void build() {
    System.setProperty("pipit.index.batch", batchKernel); // read once, when the first index starts
    index = Galleries.build(bits, n, 0, 0, SearchStrategy.LINEAR, threads, 42);
    SplittableRandom rnd = new SplittableRandom(7);
    singleQueries = new Code[Math.max(64, queries)];
    for (int q = 0; q < singleQueries.length; q++) {
      singleQueries[q] = Galleries.random(bits, rnd);
    }
    batchQueries = new ArrayList<>(List.of(singleQueries).subList(0, queries));
    // Sanity: the batched pass answers like single searches.
    if (!index.searchBatch(batchQueries, k).get(3).equals(index.search(singleQueries[3], k))) {
      throw new IllegalStateException("batched and single results differ");
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    index.close();
  }

  @Benchmark
  public List<SearchHit> single() {
    return index.search(singleQueries[next++ & 63], k);
  }

  @Benchmark
  public List<List<SearchHit>> batch() {
    return index.searchBatch(batchQueries, k);
  }
}
