package dev.pipit.metrics;

import dev.pipit.gallery.GalleryListener;
import dev.pipit.gallery.ModelSwitch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Records searches and model switches: {@code pipit_search_stage_seconds{stage}}, {@code
 * pipit_search_requests_total{kind,outcome}}, {@code pipit_search_results}, {@code
 * pipit_search_label_refetches_total}, {@code pipit_encoder_timeouts_total}, {@code
 * pipit_model_switch_seconds}. Recorded on the request's thread, so that a latency histogram's
 * exemplar names the request's trace when tracing is on.
 */
public final class GalleryMeters implements GalleryListener {

  private final Timer[] stages = new Timer[Stage.values().length];
  private final Counter[][] requests = new Counter[Kind.values().length][Outcome.values().length];
  private final DistributionSummary results;
  private final Counter labelRefetches;
  private final Counter timeouts;
  private final Timer modelSwitch;

  public GalleryMeters(MeterRegistry registry) {
    for (Stage stage : Stage.values()) {
      stages[stage.ordinal()] =
          Meters.latency("pipit.search.stage", "One stage of one search request")
              .tag("stage", stage.tag())
              .register(registry);
    }
    for (Kind kind : Kind.values()) {
      for (Outcome outcome : Outcome.values()) {
        requests[kind.ordinal()][outcome.ordinal()] =
            Counter.builder("pipit.search.requests")
                .description("Search requests by what was searched with and how they ended")
                .tag("kind", kind.tag())
                .tag("outcome", outcome.tag())
                .register(registry);
      }
    }
    results = Meters.summary(registry, "pipit.search.results", "Hits returned per query", 100_000);
    labelRefetches =
        Counter.builder("pipit.search.label.refetches")
            .description(
                "Label-filtered searches whose candidate window held fewer than k matches while"
                    + " the gallery holds more items (a wider re-fetch would be needed)")
            .register(registry);
    timeouts =
        Counter.builder("pipit.encoder.timeouts")
            .description("Searches that gave up waiting for their encodings (503)")
            .register(registry);
    modelSwitch = Meters.timer(registry, "pipit.model.switch", "One model switch, start to end");
  }

  @Override
  public void stage(Stage stage, long startNanos, long nanos) {
    stages[stage.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void searched(Kind kind, Outcome outcome) {
    requests[kind.ordinal()][outcome.ordinal()].increment();
  }

  @Override
  public void results(int hits) {
    results.record(hits);
  }

  @Override
  public void labelWindowExhausted() {
    labelRefetches.increment();
  }

  @Override
  public void timedOut() {
    timeouts.increment();
  }

  @Override
  public void switchEnded(ModelSwitch.State state, long nanos) {
    modelSwitch.record(nanos, TimeUnit.NANOSECONDS);
  }
}
