package dev.pipit.index.jmh;

import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.SearchHit;
import dev.pipit.index.SearchStrategy;
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
 * Multi-index hashing against the linear scan on clustered codes, the shape learned codes have:
 * 1,000 class centres, each bit flipped with probability 5 %; queries are fresh noisy samples of
 * the centres. Both indexes hold the same codes; the setup checks their answers are identical.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-modules",
      "jdk.incubator.vector",
      "-Xms7g",
      "-Xmx7g",
      "-XX:+AlwaysPreTouch",
      "-XX:+UseParallelGC"
    })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 7, time = 1)
public class MihBenchmark {

  @Param({"64"})
  public int bits;

  @Param({"10000000"})
  public int n;

  @Param({"10"})
  public int k;

  @Param({"LINEAR", "MIH"})
  public SearchStrategy strategy;

  private HammingIndex index;
  private Code[] queries;
  private int next;

  @Setup(Level.Trial)
  public void build() {
    index = Galleries.build(bits, n, 1000, 0.05, strategy, 1, 42);
    // Same centres as the gallery (same seed), fresh noise.
    SplittableRandom centres = new SplittableRandom(42);
    Code[] centreCodes = new Code[1000];
    for (int c = 0; c < centreCodes.length; c++) {
      centreCodes[c] = Galleries.random(bits, centres);
    }
    SplittableRandom rnd = new SplittableRandom(99);
    queries = new Code[256];
    for (int q = 0; q < queries.length; q++) {
      queries[q] = Galleries.noisy(centreCodes[rnd.nextInt(centreCodes.length)], 0.05, rnd);
    }
    if (strategy == SearchStrategy.MIH) {
      try (HammingIndex linear =
          Galleries.build(bits, Math.min(n, 2_000_000), 1000, 0.05, SearchStrategy.LINEAR, 1, 42)) {
        HammingIndex mih =
            Galleries.build(bits, Math.min(n, 2_000_000), 1000, 0.05, SearchStrategy.MIH, 1, 42);
        for (Code q : List.of(queries).subList(0, 50)) {
          if (!linear.search(q, k).equals(mih.search(q, k))) {
            throw new IllegalStateException("multi-index hashing and the scan disagree on " + q);
          }
        }
        mih.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    System.out.println("stats: " + index.stats());
    index.close();
  }

  @Benchmark
  public List<SearchHit> search() {
    return index.search(queries[next++ & 255], k);
  }
}
