package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The throughput harness runs the real trainer step and stops after the timed steps. */
class TrainThroughputTests {

  @Test
  void timesTheRequestedStepsOfTheRealTrainer() throws Exception {
    TrainThroughput.Result r = TrainThroughput.measure("fcaenet", 12, 8, 32, 40, 1, 3);
    assertThat(r.method()).isEqualTo("fcaenet");
    assertThat(r.steps()).isEqualTo(3);
    assertThat(r.msPerStep()).isPositive();
    assertThat(r.imagesPerSecond()).isCloseTo(8 / (r.msPerStep() / 1000), org.assertj.core.api.Assertions.within(1e-6));
  }

  @Test
  void needsAWarmUpStep() {
    assertThatThrownBy(() -> TrainThroughput.measure("adsh-r50", 12, 8, 32, 40, 0, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
