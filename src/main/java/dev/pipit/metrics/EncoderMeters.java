package dev.pipit.metrics;

import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.EncoderListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Records every forward pass and every refused image: {@code pipit_encoder_batch_size}, {@code
 * pipit_encoder_batch_seconds}, {@code pipit_encoder_images_total}, {@code
 * pipit_encoder_rejections_total{reason}}. Once per batch, never per image.
 */
public final class EncoderMeters implements EncoderListener {

  private final DistributionSummary batchSize;
  private final Timer batchTime;
  private final Counter images;
  private final Counter[] rejections = new Counter[Rejection.values().length];

  public EncoderMeters(MeterRegistry registry) {
    batchSize =
        Meters.summary(registry, "pipit.encoder.batch.size", "Images per forward pass", 256);
    batchTime = Meters.timer(registry, "pipit.encoder.batch", "One forward pass of the encoder");
    images =
        Counter.builder("pipit.encoder.images")
            .description("Images encoded (rate: images per second)")
            .register(registry);
    for (Rejection reason : Rejection.values()) {
      rejections[reason.ordinal()] =
          Counter.builder("pipit.encoder.rejections")
              .description("Images refused with 429 because a queue was full")
              .tag("reason", reason.tag())
              .register(registry);
    }
  }

  @Override
  public void batch(BatchingEncoder.BatchEvent event) {
    batchSize.record(event.size());
    batchTime.record(event.forwardNanos(), TimeUnit.NANOSECONDS);
    if (!event.failed()) {
      images.increment(event.size());
    }
  }

  @Override
  public void rejected(Rejection reason) {
    rejections[reason.ordinal()].increment();
  }
}
