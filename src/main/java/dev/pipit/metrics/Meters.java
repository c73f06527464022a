package dev.pipit.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Builders shared by the recorders: latency timers always publish a percentile histogram. */
final class Meters {

  private Meters() {}

  static Timer.Builder latency(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram();
  }

  static Timer timer(MeterRegistry registry, String name, String description) {
    return latency(name, description).register(registry);
  }

  static DistributionSummary summary(
      MeterRegistry registry, String name, String description, double max) {
    return DistributionSummary.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(1.0)
        .maximumExpectedValue(max)
        .register(registry);
  }
}
