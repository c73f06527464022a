package dev.pipit.api;

/**
 * Response of {@code GET /v1/system}.
 *
 * @param version pipit version
 * @param java Java runtime version
 * @param cpus processors available to the JVM
 * @param engine deep-learning engine and device
 */
record SystemInfo(String version, String java, int cpus, Engine engine) {

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
  record Engine(String name, String version, String device, String requested, boolean fallback, int gpus) {}
}
