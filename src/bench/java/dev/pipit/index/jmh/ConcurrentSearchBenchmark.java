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
 * Many clients each sending single {@link HammingIndex#search} calls at once (JMH's {@code threads}
 * are the clients), as the service's request threads do: total searches per second with every
 * search alone ({@code maxCoalesced} = 1) and with concurrent searches sharing passes over the
 * codes (64). The index splits each pass over every core either way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
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
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 7, time = 2)
public class ConcurrentSearchBenchmark {

  @Param({"64"})
  public int bits;

  @Param({"10000000"})
  public int n;

  @Param({"10"})
  public int k;

  @Param({"1", "64"})
  public int maxCoalesced;

  private HammingIndex index;
  private Code[] queries;

  /** Each client's own position in the query list. */
  @State(Scope.Thread)
  public static class Client {
    int next = (int) Thread.currentThread().threadId() * 97;
  }

  @Setup(Level.Trial)
  public void build() {
    index =
        Galleries.build(
            bits,
            n,
            0,
            0,
            SearchStrategy.LINEAR,
            Runtime.getRuntime().availableProcessors(),
            maxCoalesced,
            42);
    SplittableRandom rnd = new SplittableRandom(7);
    queries = new Code[1024];
    for (int q = 0; q < queries.length; q++) {
      queries[q] = Galleries.random(bits, rnd);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    index.close();
  }

  @Benchmark
  public List<SearchHit> search(Client client) {
    return index.search(queries[client.next++ & 1023], k);
  }
}
