package dev.pipit.config;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ServingModel;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the served model ({@code serving} in {@code /readyz}): DOWN with the reason when
 * start-up could not serve the recorded model and had no default to fall back to, so that traffic
 * is not routed to a process that would answer every search with 503; UP otherwise, naming the
 * model and any fallback. A service started without any model configured stays UP, as before.
 */
@Component("serving")
class ServingHealthIndicator implements HealthIndicator {

  private final ActiveModel active;

  ServingHealthIndicator(ActiveModel active) {
    this.active = active;
  }

  @Override
  public Health health() {
    Optional<ServingModel> model = active.current();
    Optional<String> note = active.startupNote();
    if (model.isEmpty()) {
      return note.map(reason -> Health.down().withDetail("reason", reason).build())
          .orElseGet(() -> Health.up().withDetail("model", "none configured").build());
    }
    Health.Builder up = Health.up().withDetail("model", model.get().ref().id());
    note.ifPresent(reason -> up.withDetail("fallback", reason));
    return up.build();
  }
}
