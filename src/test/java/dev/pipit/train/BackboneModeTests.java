package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.TorchParameterNames;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which parameters each backbone mode trains; BatchNorm running statistics never take gradients.
 */
class BackboneModeTests {

  @Test
  void frozenTrainsTheHeadLastStageAddsConv5AndFullEverything() {
    for (BackboneMode mode : BackboneMode.values()) {
      try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
        HashingNetwork network = Architecture.AGMH.build(12);
        network.allocate(manager, 32);
        mode.selectTrainable(network);
        int trained = 0;
        for (Map.Entry<String, Parameter> e : TorchParameterNames.of(network).entrySet()) {
          String name = e.getKey();
          boolean statistic = name.endsWith("running_mean") || name.endsWith("running_var");
          boolean expected =
              !statistic
                  && (!name.startsWith("backbone.")
                      || mode == BackboneMode.FULL
                      || (mode == BackboneMode.LAST_STAGE && name.startsWith("backbone.layer4.")));
          assertThat(e.getValue().requiresGradient()).as("%s: %s", mode, name).isEqualTo(expected);
          trained += expected && name.startsWith("backbone.") ? 1 : 0;
        }
        // conv weight + bias and BN γ, β of each trained conv-BN unit: 53 in the backbone, 10 in
        // conv5_x
        assertThat(trained)
            .as(mode.name())
            .isEqualTo(
                switch (mode) {
                  case FROZEN -> 0;
                  case LAST_STAGE -> 10 * 4;
                  case FULL -> 53 * 4;
                });
      }
    }
  }
}
