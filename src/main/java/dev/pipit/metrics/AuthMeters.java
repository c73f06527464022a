package dev.pipit.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code pipit_auth_failures_total{reason="missing|invalid|forbidden|expired"}}: requests refused
 * for their credential. The security layer reports through config (metrics does not know it).
 */
public final class AuthMeters {

  /** The reasons, as the security layer names them. */
  public static final String[] REASONS = {"missing", "invalid", "forbidden", "expired"};

  private final Map<String, Counter> failures;

  public AuthMeters(MeterRegistry registry) {
    Map<String, Counter> counters = new HashMap<>();
    for (String reason : REASONS) {
      counters.put(
          reason,
          Counter.builder("pipit.auth.failures")
              .description("Requests refused for their credential")
              .tag("reason", reason)
              .register(registry));
    }
    this.failures = Map.copyOf(counters);
  }

  /**
   * Counts one refusal.
   *
   * @throws IllegalArgumentException for a reason not in {@link #REASONS}
   */
  public void failed(String reason) {
    Counter counter = failures.get(reason);
    if (counter == null) {
      throw new IllegalArgumentException("unknown reason " + reason);
    }
    counter.increment();
  }
}
