package dev.pipit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pipit.train.BackboneMode;
import org.junit.jupiter.api.Test;

/**
 * The throughput harness runs the real trainer step, on what the backbone mode trains, and stops
 * after the timed steps.
 */
class TrainThroughputTests {

  @Test
  void timesTheRequestedStepsOfTheRealTrainer() throws Exception {
    TrainThroughput.Result r =
        TrainThroughput.measure("fcaenet", 12, 8, 32, BackboneMode.FROZEN, 40, 1, 3);
    assertThat(r.method()).isEqualTo("fcaenet");
    assertThat(r.steps()).isEqualTo(3);
    assertThat(r.msPerStep()).isPositive();
    assertThat(r.imagesPerSecond()).isCloseTo(8 / (r.msPerStep() / 1000), within(1e-6));
    assertThat(r.trainedParameters())
        .as("the hash layer 2048→12 with bias")
        .isEqualTo(2048 * 12 + 12);
  }

  @Test
  void theLastStageModeTrainsConv5xBesideTheHead() throws Exception {
    TrainThroughput.Result frozen =
        TrainThroughput.measure("adsh-r50", 12, 8, 32, BackboneMode.FROZEN, 40, 1, 1);
    TrainThroughput.Result lastStage =
        TrainThroughput.measure("adsh-r50", 12, 8, 32, BackboneMode.LAST_STAGE, 40, 1, 2);
    assertThat(lastStage.steps()).isEqualTo(2);
    // conv5_x, Keras layout: convolutions with biases, BN γ and β (running statistics are not
    // trained).
    long first = unit(1024, 512, 1) + unit(512, 512, 3) + unit(512, 2048, 1) + unit(1024, 2048, 1);
    long later = unit(2048, 512, 1) + unit(512, 512, 3) + unit(512, 2048, 1);
    assertThat(lastStage.trainedParameters() - frozen.trainedParameters())
        .isEqualTo(first + 2 * later);
  }

  private static long unit(long in, long out, long kernel) {
    return in * out * kernel * kernel + out + 2 * out;
  }

  @Test
  void needsAWarmUpStepAndCachedMaps() {
    assertThatThrownBy(
            () -> TrainThroughput.measure("adsh-r50", 12, 8, 32, BackboneMode.FROZEN, 40, 0, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> TrainThroughput.measure("adsh-r50", 12, 8, 32, BackboneMode.FULL, 40, 1, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
