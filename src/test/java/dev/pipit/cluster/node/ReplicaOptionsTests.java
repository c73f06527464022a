package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.index.IndexOptions;
import org.junit.jupiter.api.Test;

/** A replica applies every committed change: its index has no payload budget to refuse one. */
class ReplicaOptionsTests {

  @Test
  void aReplicaIndexHasNoPayloadBudgetUnlikeAStandaloneOne() {
    assertThat(IndexOptions.of(64, "cluster:m").maxPayloadBytes()).isLessThan(Long.MAX_VALUE);
    assertThat(ReplicaIndex.replicaOptions(64, "m").maxPayloadBytes()).isEqualTo(Long.MAX_VALUE);
    assertThat(ReplicaIndex.replicaOptions(64, "m").modelFingerprint()).isEqualTo("cluster:m");
  }
}
