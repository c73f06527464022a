package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.model.ModelManifest;
import org.junit.jupiter.api.Test;

class PreprocessingTests {

  @Test
  void manifestFormRoundTrips() {
    for (Preprocessing p :
        new Preprocessing[] {Preprocessing.kerasResNet50(), Preprocessing.torchvisionEval()}) {
      assertThat(Preprocessing.fromManifest(p.toManifest())).isEqualTo(p);
    }
    assertThat(Preprocessing.kerasResNet50().toManifest())
        .isEqualTo(new ModelManifest.Preprocessing("square", 224, 224, "caffe-bgr", "area"));
  }

  @Test
  void unknownNamesAreRefusedWithTheKnownOnes() {
    assertThatThrownBy(
            () ->
                Preprocessing.fromManifest(
                    new ModelManifest.Preprocessing("square", 224, 224, "yuv", "area")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown Normalization 'yuv'")
        .hasMessageContaining("caffe-bgr");
  }
}
