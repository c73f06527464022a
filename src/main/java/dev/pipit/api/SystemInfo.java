package dev.pipit.api;

/**
 * Response of {@code GET /v1/system}.
 *
 * @param version pipit version
 * @param java Java runtime version
 * @param cpus processors available to the JVM
 * @param engine deep-learning engine and device
 * @param serving how the served model's network runs, or why none serves; null when no model is
 *     configured
 */
record SystemInfo(String version, String java, int cpus, Engine engine, Serving serving) {

  /**
   * The served model's network.
   *
   * @param model model name
   * @param path {@code compiled: …} (TorchScript/oneDNN), {@code eager (reason)} or {@code
   *     torchscript}
   * @param fallback why the configured default serves instead of the recorded model, or null
   * @param unavailable why no model serves (the service is not ready), or null
   */
  record Serving(String model, String path, String fallback, String unavailable) {}

  /**
   * The engine networks run on.
   *
   * @param name engine name
   * @param version native library version
   * @param device {@code cpu} or {@code gpu}
   * @param requested configured preference
   * @param fallback true when CUDA was requested but the CPU is used
   * @param gpus GPUs visible to the engine
   */
  record Engine(
      String name, String version, String device, String requested, boolean fallback, int gpus) {}
}
