package dev.pipit.metrics;

import dev.pipit.index.BatchKernelChoice;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.Supplier;

/**
 * Publishes the batch kernel this machine chose for the index and why, so that a fleet with mixed
 * CPUs shows which nodes run which body: {@code
 * pipit_index_batch_kernel{kernel="popcount",reason="cpu-features"} 1}.
 */
public class IndexKernelMetrics implements MeterBinder {

  private final Supplier<BatchKernelChoice> choice;

  /** The choice of this JVM ({@link BatchKernelChoice#current()}). */
  public IndexKernelMetrics() {
    this(BatchKernelChoice::current);
  }

  IndexKernelMetrics(Supplier<BatchKernelChoice> choice) {
    this.choice = choice;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    BatchKernelChoice chosen = choice.get(); // made once per JVM: the tags never change
    Gauge.builder("pipit.index.batch.kernel", () -> 1)
        .description("Body of the index's batched scans (value is always 1; read the tags)")
        .tag("kernel", chosen.kernel())
        .tag("reason", chosen.reason())
        .register(registry);
  }
}
