package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class EngineDeviceTests {

  @Test
  void cpuPreferenceGivesTheCpuWithoutFallback() {
    EngineDevice engine = EngineDevice.resolve(DevicePreference.CPU);

    assertThat(engine.device()).isEqualTo(Device.cpu());
    assertThat(engine.fallback()).isFalse();
    assertThat(engine.engineName()).isEqualTo("PyTorch");
    assertThat(engine.engineVersion()).isEqualTo("2.0.1");
  }

  @Test
  void cudaPreferenceFallsBackVisiblyWhenNoGpuIsSeen() {
    EngineDevice engine = EngineDevice.resolve(DevicePreference.CUDA);

    if (engine.gpuCount() == 0) {
      assertThat(engine.device()).isEqualTo(Device.cpu());
      assertThat(engine.fallback()).isTrue();
    } else {
      assertThat(engine.device()).isEqualTo(Device.gpu(0));
      assertThat(engine.fallback()).isFalse();
    }
  }

  @Test
  void autoNeverReportsAFallback() {
    EngineDevice engine = EngineDevice.resolve(DevicePreference.AUTO);

    assertThat(engine.fallback()).isFalse();
    assertThat(engine.deviceType()).isEqualTo(engine.gpuCount() > 0 ? "gpu" : "cpu");
  }

  @Test
  void theResolvedDeviceRunsATensorOp() {
    EngineDevice engine = EngineDevice.resolve(DevicePreference.AUTO);
    try (NDManager manager = NDManager.newBaseManager(engine.device())) {
      NDArray a = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      NDArray product = a.matMul(a);

      assertThat(product.toFloatArray()).containsExactly(7f, 10f, 15f, 22f);
    }
  }
}
