package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DataPipelineTests {

  @Test
  void theDefaultLeavesACoreToTheTrainingStepWithinOneToEightWorkers() {
    assertThat(DataPipeline.defaultWorkers(1)).isEqualTo(1);
    assertThat(DataPipeline.defaultWorkers(2)).isEqualTo(1);
    assertThat(DataPipeline.defaultWorkers(4)).isEqualTo(3);
    assertThat(DataPipeline.defaultWorkers(16)).isEqualTo(8);
    assertThat(DataPipeline.defaults().prefetch()).isEqualTo(DataPipeline.DEFAULT_PREFETCH);
    assertThat(DataPipeline.of(0, null))
        .isEqualTo(new DataPipeline(0, DataPipeline.DEFAULT_PREFETCH));
    assertThat(DataPipeline.of(null, 2).workers()).isEqualTo(DataPipeline.defaults().workers());
  }

  @Test
  void outOfRangeValuesAreRefused() {
    assertThatThrownBy(() -> new DataPipeline(-1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workers");
    assertThatThrownBy(() -> new DataPipeline(1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefetch");
  }
}
