package dev.pipit.metrics;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import dev.pipit.model.EngineDevice;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes which device the engine runs on, so a silent CPU fallback on a GPU node shows up on a
 * dashboard: {@code pipit_engine_device{device="cpu",requested="cuda",fallback="true"} 1}.
 */
public class EngineMetrics implements MeterBinder {

  private final EngineDevice engine;

  public EngineMetrics(EngineDevice engine) {
    this.engine = engine;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("pipit.engine.device", () -> 1)
        .description("Device the networks run on (value is always 1; read the tags)")
        .tag("device", engine.deviceType())
        .tag("requested", engine.requested().name().toLowerCase())
        .tag("fallback", Boolean.toString(engine.fallback()))
        .tag("engine", engine.engineName() + " " + engine.engineVersion())
        .register(registry);
    Gauge.builder("pipit.engine.gpus", engine::gpuCount)
        .description("GPUs visible to the engine")
        .register(registry);
    if ("gpu".equals(engine.deviceType())) { // only on CUDA: CudaUtils needs the CUDA runtime
      Device device = engine.device();
      Gauge.builder(
              "pipit.engine.gpu.memory.used", device, d -> CudaUtils.getGpuMemory(d).getUsed())
          .description("GPU memory in use on the engine's device (CUDA only)")
          .baseUnit("bytes")
          .register(registry);
    }
  }
}
