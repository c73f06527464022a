package dev.pipit.metrics;

import dev.pipit.cluster.router.RouterListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code pipit_router_fanout_seconds{partial}}, {@code pipit_router_retries_total} and {@code
 * pipit_router_missing_shards_total} (docs/metrics.md): the cluster router's {@link
 * RouterListener}, registered only in the router process.
 */
public final class RouterMeters implements RouterListener {

  private final Timer complete;
  private final Timer partial;
  private final Counter retries;
  private final Counter missing;

  public RouterMeters(MeterRegistry registry) {
    complete = fanout(registry, "false");
    partial = fanout(registry, "true");
    retries =
        Counter.builder("pipit.router.retries")
            .description("Calls to a replica that failed, after which the router tried another")
            .register(registry);
    missing =
        Counter.builder("pipit.router.missing.shards")
            .description("Shards none of whose replicas answered a request")
            .register(registry);
  }

  private static Timer fanout(MeterRegistry registry, String partial) {
    return Timer.builder("pipit.router.fanout")
        .description("A search fanned out to every shard and merged; partial: a shard was missing")
        .tag("partial", partial)
        .publishPercentileHistogram()
        .register(registry);
  }

  @Override
  public void fannedOut(long nanos, boolean partialAnswer) {
    (partialAnswer ? partial : complete).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void retried() {
    retries.increment();
  }

  @Override
  public void shardMissing(int shard) {
    missing.increment();
  }
}
