package dev.pipit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ServingModel;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The storage meters read the serving index's stats at each scrape. */
class StorageMetricsTests {

  @Test
  void metersFollowTheServingIndexAndReadZeroWithoutOne() throws IOException {
    SimpleMeterRegistry none = new SimpleMeterRegistry();
    new StorageMetrics(new ActiveModel(null, "no model")).bindTo(none);
    assertThat(none.get("pipit.storage.failures").functionCounter().count()).isZero();
    assertThat(none.get("pipit.storage.failed").gauge().value()).isZero();

    try (HammingIndex index =
        HammingIndex.inMemory(IndexOptions.of(64, "m").withMaxPayloadBytes(1000))) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new StorageMetrics(new ActiveModel(new ServingModel(null, null, index, null), null))
          .bindTo(registry);
      index.add("a", Code.of(64, 1), new byte[300]);
      assertThat(registry.get("pipit.storage.payload.bytes").gauge().value()).isEqualTo(300);
      assertThat(registry.get("pipit.storage.payload.budget.bytes").gauge().value())
          .isEqualTo(1000);
      assertThat(registry.get("pipit.storage.failures").functionCounter().count()).isZero();
    }
  }
}
