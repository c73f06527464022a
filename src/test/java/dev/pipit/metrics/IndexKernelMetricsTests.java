package dev.pipit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.index.BatchKernelChoice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The batch kernel gauge carries the choice in its tags. */
class IndexKernelMetricsTests {

  @Test
  void gaugeIsTaggedWithTheKernelAndTheReason() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new IndexKernelMetrics(() -> new BatchKernelChoice("bitsliced", "default", "x"))
        .bindTo(registry);
    assertThat(
            registry
                .get("pipit.index.batch.kernel")
                .tag("kernel", "bitsliced")
                .tag("reason", "default")
                .gauge()
                .value())
        .isEqualTo(1);
  }

  @Test
  void theDefaultReadsThisJvmsChoice() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new IndexKernelMetrics().bindTo(registry);
    BatchKernelChoice current = BatchKernelChoice.current();
    assertThat(
            registry
                .get("pipit.index.batch.kernel")
                .tag("kernel", current.kernel())
                .tag("reason", current.reason())
                .gauge()
                .value())
        .isEqualTo(1);
  }
}
