package dev.pipit.config;

import dev.pipit.jobs.JobLimits;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Training jobs ({@code pipit.jobs.*}).
 *
 * @param allowedRoots dataset directories a job may read must lie under one of these
 * @param backboneWeights TF.js {@code model.json} of the ImageNet ResNet-50
 * @param adminToken deprecated: a plain-text admin API key ({@code PIPIT_ADMIN_TOKEN}), hashed at
 *     start; configure a hashed key under {@code pipit.security.keys} instead
 * @param maxPendingJobs jobs that may wait to run; more are answered 429
 * @param maxEventStreams event streams open at once over all jobs; more are answered 429
 * @param maxEventStreamsPerJob event streams open at once on one job
 * @param eventStreamBuffer events a stream may have waiting for its client; a client that falls
 *     this far behind is dropped
 * @param maxEventStreamDuration longest an event stream stays open (the client may reconnect)
 */
@Validated
@ConfigurationProperties("pipit.jobs")
public record JobsProperties(
    @NotNull List<Path> allowedRoots,
    @NotNull Path backboneWeights,
    String adminToken,
    @Min(1) int maxPendingJobs,
    @Min(1) int maxEventStreams,
    @Min(1) int maxEventStreamsPerJob,
    @Min(1) int eventStreamBuffer,
    @NotNull Duration maxEventStreamDuration) {

  /** The job limits these settings describe. */
  public JobLimits limits() {
    return new JobLimits(
        maxPendingJobs,
        maxEventStreams,
        maxEventStreamsPerJob,
        eventStreamBuffer,
        maxEventStreamDuration);
  }
}
