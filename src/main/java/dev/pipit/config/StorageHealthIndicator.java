package dev.pipit.config;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ServingModel;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.StorageHealth;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the gallery index's storage ({@code storage} in {@code /readyz}): DOWN with the
 * disk's reason while the serving index's write-ahead log is failed (full disk, I/O error), so that
 * traffic that would write goes elsewhere; UP otherwise.
 *
 * <p>Recovery needs no client write and no restart: while the log is failed, each check first
 * {@linkplain HammingIndex#probeStorage probes} the disk with a small write and fsync (64 KiB,
 * deleted again). The probe costs one small fsync per check and runs only while failed; once it
 * succeeds the indicator is UP. Searches are answered either way, so liveness is not affected.
 */
@Component("storage")
class StorageHealthIndicator implements HealthIndicator {

  private final ActiveModel active;

  StorageHealthIndicator(ActiveModel active) {
    this.active = active;
  }

  @Override
  public Health health() {
    Optional<HammingIndex> index = active.current().map(ServingModel::index);
    if (index.isEmpty()) {
      return Health.up().withDetail("index", "none serving").build();
    }
    StorageHealth health = index.get().storageHealth();
    if (health.failed()) {
      health = index.get().probeStorage();
    }
    if (health.failed()) {
      return Health.down()
          .withDetail("reason", health.lastReason())
          .withDetail("since", health.failedSince().toString())
          .withDetail("failures", health.failures())
          .build();
    }
    Health.Builder up = Health.up().withDetail("failures", health.failures());
    if (health.lastReason() != null) {
      up.withDetail("lastFailure", health.lastReason());
    }
    return up.build();
  }
}
