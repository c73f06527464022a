package dev.pipit.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ServingModel;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The storage indicator on healthy storage (the failed state, on a really full disk, is covered end
 * to end by {@code ServiceFullDiskIT}).
 */
class StorageHealthIndicatorTests {

  @Test
  void upWithoutAServingIndex() {
    Health health = new StorageHealthIndicator(new ActiveModel(null, "no model")).health();
    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails()).containsEntry("index", "none serving");
  }

  @Test
  void upWithTheFailureCountOfAHealthyIndex() throws IOException {
    try (HammingIndex index = HammingIndex.inMemory(IndexOptions.of(64, "m"))) {
      Health health =
          new StorageHealthIndicator(
                  new ActiveModel(new ServingModel(null, null, index, null), null))
              .health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("failures", 0L).doesNotContainKey("reason");
    }
  }
}
