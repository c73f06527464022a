package dev.pipit.metrics;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ServingModel;
import dev.pipit.index.IndexStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * The gallery index's storage, read from the serving index's stats at each scrape: {@code
 * pipit_storage_failures_total} (failed log writes or fsyncs since the index was opened), {@code
 * pipit_storage_failed} (1 while writes are refused), and the payload budget ({@code
 * pipit_storage_payload_bytes}, {@code pipit_storage_payload_budget_bytes}). Without a serving
 * model every value reads 0.
 */
public class StorageMetrics implements MeterBinder {

  private final ActiveModel active;

  public StorageMetrics(ActiveModel active) {
    this.active = active;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder(
            "pipit.storage.failures", this, m -> m.read(s -> s.durability().storageFailures()))
        .description("Write-ahead log writes or fsyncs that failed (full disk, I/O error)")
        .register(registry);
    Gauge.builder(
            "pipit.storage.failed", this, m -> m.read(s -> s.durability().storageFailed() ? 1 : 0))
        .description("1 while the index's storage refuses writes")
        .strongReference(true)
        .register(registry);
    Gauge.builder("pipit.storage.payload.bytes", this, m -> m.read(s -> s.payloads().usedBytes()))
        .description("Payload bytes (labels, metadata) the live gallery items hold in memory")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "pipit.storage.payload.budget.bytes",
            this,
            m -> m.read(s -> s.payloads().budgetBytes()))
        .description("Most payload bytes the gallery index accepts")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
  }

  private double read(ToDoubleFunction<IndexStats> value) {
    return active
        .current()
        .map(ServingModel::index)
        .map(i -> value.applyAsDouble(i.stats()))
        .orElse(0.0);
  }
}
