package dev.pipit.metrics;

import dev.pipit.jobs.TrainJob;
import dev.pipit.jobs.TrainJobs;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@code pipit_train_jobs{state="queued|running|succeeded|failed|cancelled|interrupted"}}: the jobs
 * the service knows (those of earlier runs included) per state, counted at each scrape.
 */
public class JobMetrics implements MeterBinder {

  private final TrainJobs jobs;

  public JobMetrics(TrainJobs jobs) {
    this.jobs = jobs;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (TrainJob.State state : TrainJob.State.values()) {
      Gauge.builder("pipit.train.jobs", this, m -> m.count(state))
          .description("Training jobs per state")
          .tag("state", state.name().toLowerCase())
          .strongReference(true)
          .register(registry);
    }
  }

  private double count(TrainJob.State state) {
    return jobs.list().stream().filter(j -> j.state() == state).count();
  }
}
