package dev.pipit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deep-learning engine and the device pipit runs its networks on, resolved once at start.
 *
 * @param device the device networks are placed on
 * @param requested what the configuration asked for
 * @param fallback true when CUDA was asked for explicitly but no GPU was visible, so the CPU is
 *     used
 * @param engineName the DJL engine name ({@code PyTorch})
 * @param engineVersion the native library version (e.g. {@code 2.0.1})
 * @param gpuCount GPUs the engine can see
 */
public record EngineDevice(
    Device device,
    DevicePreference requested,
    boolean fallback,
    String engineName,
    String engineVersion,
    int gpuCount) {

  private static final Logger log = LoggerFactory.getLogger(EngineDevice.class);

  /** The engine every pipit network runs on. */
  public static final String ENGINE = "PyTorch";

  /**
   * Loads the engine (extracting its native library on first use) and picks the device.
   *
   * @param preference the configured preference
   * @return the resolved device; never fails for lack of a GPU
   */
  public static EngineDevice resolve(DevicePreference preference) {
    Engine engine = Engine.getEngine(ENGINE);
    int gpus = engine.getGpuCount();
    Device device =
        switch (preference) {
          case CPU -> Device.cpu();
          case AUTO, CUDA -> gpus > 0 ? Device.gpu(0) : Device.cpu();
        };
    boolean fallback = preference == DevicePreference.CUDA && gpus == 0;
    EngineDevice resolved =
        new EngineDevice(
            device, preference, fallback, engine.getEngineName(), engine.getVersion(), gpus);
    if (fallback) {
      log.warn(
          "CUDA was requested but {} {} sees no GPU: falling back to the CPU",
          engine.getEngineName(),
          engine.getVersion());
    }
    log.info(
        "Engine {} {} on {} (requested {}, {} GPU(s) visible)",
        resolved.engineName,
        resolved.engineVersion,
        device,
        preference,
        gpus);
    return resolved;
  }

  /** {@code "cpu"} or {@code "gpu"}: a low-cardinality label for logs and metrics. */
  public String deviceType() {
    return device.getDeviceType();
  }
}
