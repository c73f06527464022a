package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What makes the serving path cheap: no autograd recording on any thread, and intermediates freed
 * as the forward pass goes instead of when the caller's manager closes.
 */
class ServingPathTests {

  private NDManager manager;
  private HashingNetwork net;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
    net = Architecture.AGMH.build(16);
    net.initialize(manager, 32, 68);
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  @SuppressWarnings("try") // the scope is entered for its side effect
  void aFreshThreadRecordsGradientsUnlessInsideAnInferenceScope() throws Exception {
    AtomicReference<boolean[]> seen = new AtomicReference<>();
    Thread worker =
        Thread.ofPlatform()
            .start(
                () -> {
                  boolean before = InferenceScope.gradModeEnabled();
                  boolean inside;
                  try (InferenceScope scope = InferenceScope.enter()) {
                    inside = InferenceScope.gradModeEnabled();
                  }
                  seen.set(new boolean[] {before, inside, InferenceScope.gradModeEnabled()});
                });
    worker.join();

    // libtorch starts every thread with grad mode on; DJL turns it off only on the engine's own
    // thread.
    assertThat(seen.get()).containsExactly(true, false, true);
  }

  @Test
  void inferenceFreesIntermediatesAsItGoesAndTrainingKeepsThem() {
    for (boolean folded : new boolean[] {false, true}) {
      if (folded) {
        BatchNormFolding.fold(net);
      }
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.randomNormal(new Shape(2, 3, 32, 32));
        net.serve(new ParameterStore(scope, false), x);
        // Left: the input, the output and the few small arrays the head makes (pooled descriptors,
        // their concatenation, the hash layer's output before tanh). Hundreds before.
        assertThat(scope.getManagedArrays()).as("folded=" + folded).hasSizeLessThan(16);
      }
    }
    BatchNormFolding.unfold(net);
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.randomNormal(new Shape(2, 3, 32, 32));
      net.forward(new ParameterStore(scope, false), new NDList(x), true);
      assertThat(scope.getManagedArrays()).hasSizeGreaterThan(200);
    }
  }

  @Test
  void freeingIntermediatesChangesNoOutput() {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.randomNormal(new Shape(2, 3, 32, 32));
      ParameterStore ps = new ParameterStore(scope, false);
      float[] served = net.serve(ps, x).toFloatArray();
      float[] twice = net.serve(ps, x).toFloatArray();
      assertThat(twice).containsExactly(served);
      assertThat(x.toFloatArray())
          .as("the input is the caller's and stays usable")
          .hasSize(2 * 3 * 32 * 32);
    }
  }
}
