package dev.pipit.metrics;

import dev.pipit.gallery.GalleryListener;
import dev.pipit.gallery.ModelSwitch;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Turns each search stage into a child span of the request's current span ({@code decode}, {@code
 * queue}, {@code encode}, {@code scan}, {@code hydrate}), with the stage's own start and end, and
 * passes every event on to {@code next}. Stages reported outside a traced request (the demo gallery
 * at start) make no span. With tracing off nothing is sampled, so the spans cost an id each and are
 * never exported.
 */
public final class StageSpans implements GalleryListener {

  private final Tracer tracer;
  private final GalleryListener next;
  private final Clock clock;

  public StageSpans(Tracer tracer, GalleryListener next, Clock clock) {
    this.tracer = tracer;
    this.next = next;
    this.clock = clock;
  }

  @Override
  public void stage(Stage stage, long startNanos, long nanos) {
    next.stage(stage, startNanos, nanos);
    Span parent = tracer.currentSpan();
    if (parent == null || !Boolean.TRUE.equals(parent.context().sampled())) {
      return;
    }
    TraceContext context = parent.context();
    // the stage's interval is on the nanoTime clock: place it on the wall clock by its distance
    // from now, which keeps the stages of one request in order and without gaps between them
    Instant now = clock.instant();
    long nowEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    long startEpochNanos = nowEpochNanos - (System.nanoTime() - startNanos);
    Span span =
        tracer
            .spanBuilder()
            .setParent(context)
            .name(stage.tag())
            .startTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
            .start();
    span.end(startEpochNanos + nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void searched(Kind kind, Outcome outcome) {
    next.searched(kind, outcome);
  }

  @Override
  public void results(int hits) {
    next.results(hits);
  }

  @Override
  public void labelWindowExhausted() {
    next.labelWindowExhausted();
  }

  @Override
  public void timedOut() {
    next.timedOut();
  }

  @Override
  public void switchEnded(ModelSwitch.State state, long nanos) {
    next.switchEnded(state, nanos);
  }
}
