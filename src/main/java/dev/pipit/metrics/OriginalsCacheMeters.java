package dev.pipit.metrics;

import dev.pipit.gallery.OriginalsCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code pipit_cluster_originals_cache_*} (docs/metrics.md): a cluster node's bounded cache of the
 * originals in PostgreSQL. Registered only in a node process.
 */
public final class OriginalsCacheMeters {

  public OriginalsCacheMeters(OriginalsCache cache, MeterRegistry registry) {
    FunctionCounter.builder("pipit.cluster.originals.cache.lookups", cache, c -> c.stats().hits())
        .description("Requests for an original or thumbnail, by whether the local copy answered")
        .tag("result", "hit")
        .register(registry);
    FunctionCounter.builder("pipit.cluster.originals.cache.lookups", cache, c -> c.stats().misses())
        .description("Requests for an original or thumbnail, by whether the local copy answered")
        .tag("result", "miss")
        .register(registry);
    FunctionCounter.builder(
            "pipit.cluster.originals.cache.evictions", cache, c -> c.stats().evictions())
        .description("Local copies of originals deleted to stay under the cache's bound")
        .register(registry);
    Gauge.builder("pipit.cluster.originals.cache", cache, c -> c.stats().bytes())
        .description("Bytes of the local copies of originals and their thumbnails")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
    Gauge.builder("pipit.cluster.originals.cache.budget", cache, c -> c.stats().maxBytes())
        .description("Most bytes the local copies of originals may take")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
    Gauge.builder("pipit.cluster.originals.cache.count", cache, c -> c.stats().originals())
        .description("Originals copied locally")
        .strongReference(true)
        .register(registry);
  }
}
