package dev.pipit.metrics;

import dev.pipit.jobs.JobListener;
import dev.pipit.jobs.TrainJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The running training job, tagged {@code method} and {@code bits}: {@code
 * pipit_train_progress_ratio}, {@code pipit_train_outer_iteration}, {@code pipit_train_loss},
 * {@code pipit_train_map}, {@code pipit_train_eta_seconds} (NaN when no job of that method and
 * length runs) and {@code pipit_train_step_seconds}; and {@code pipit_train_jobs_failed_total}.
 * Gauges for a (method, bits) pair are registered when a job of it is first seen (few pairs).
 */
public final class JobMeters implements JobListener {

  private final MeterRegistry registry;
  private final Counter failed;
  private final Map<String, Timer> steps = new ConcurrentHashMap<>();
  private volatile TrainJob running;

  public JobMeters(MeterRegistry registry) {
    this.registry = registry;
    this.failed =
        Counter.builder("pipit.train.jobs.failed")
            .description("Training jobs that failed")
            .register(registry);
  }

  @Override
  public void updated(TrainJob job) {
    if (job.state() == TrainJob.State.RUNNING) {
      steps.computeIfAbsent(key(job.request().method(), job.request().bits()), k -> register(job));
      running = job;
    } else if (running != null && running.id().equals(job.id())) {
      running = null;
    }
  }

  @Override
  public void stepped(String method, int bits, long nanos) {
    Timer timer = steps.get(key(method, bits));
    if (timer != null) {
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void failed() {
    failed.increment();
  }

  private static String key(String method, int bits) {
    return method + "/" + bits;
  }

  /** Registers the gauges of jobs like {@code job}; returns their step timer. */
  private Timer register(TrainJob job) {
    String method = job.request().method();
    int bits = job.request().bits();
    Tags tags = Tags.of("method", method, "bits", Integer.toString(bits));
    gauge(
        "pipit.train.progress",
        "ratio",
        "Progress of the running job, 0..1",
        tags,
        method,
        bits,
        TrainJob::progress);
    gauge(
        "pipit.train.outer.iteration",
        null,
        "Outer iterations the running job finished",
        tags,
        method,
        bits,
        j -> j.iterations().size());
    gauge(
        "pipit.train.loss",
        null,
        "Mean loss of the running job's last outer iteration",
        tags,
        method,
        bits,
        j -> last(j.iterations(), false));
    gauge(
        "pipit.train.map",
        null,
        "mAP after the running job's last evaluated iteration",
        tags,
        method,
        bits,
        j -> last(j.iterations(), true));
    gauge(
        "pipit.train.eta",
        "seconds",
        "Estimated time the running job still needs",
        tags,
        method,
        bits,
        j -> j.etaSeconds() == null ? Double.NaN : j.etaSeconds());
    return Meters.latency("pipit.train.step", "One optimisation step of the running job")
        .tags(tags)
        .register(registry);
  }

  private void gauge(
      String name,
      String unit,
      String description,
      Tags tags,
      String method,
      int bits,
      ToDoubleFunction<TrainJob> value) {
    Gauge.builder(name, this, m -> m.read(method, bits, value))
        .description(description)
        .baseUnit(unit)
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  private double read(String method, int bits, ToDoubleFunction<TrainJob> value) {
    TrainJob job = running;
    if (job == null || !job.request().method().equals(method) || job.request().bits() != bits) {
      return Double.NaN;
    }
    return value.applyAsDouble(job);
  }

  private static double last(List<TrainJob.Iteration> iterations, boolean map) {
    if (iterations.isEmpty()) {
      return Double.NaN;
    }
    TrainJob.Iteration it = iterations.getLast();
    return map ? (it.map() == null ? Double.NaN : it.map()) : it.loss();
  }
}
