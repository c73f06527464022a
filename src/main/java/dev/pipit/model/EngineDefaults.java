package dev.pipit.model;

/** Process-wide DJL settings that must be in place before the engine first loads. */
public final class EngineDefaults {

  private EngineDefaults() {}

  /**
   * Keeps DJL offline and silent: no model-zoo or native-library downloads, no usage tracking.
   * Values already set on the command line win.
   */
  public static void applyOfflineDefaults() {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("OPT_OUT_TRACKING", System.getProperty("OPT_OUT_TRACKING", "true"));
  }

  /**
   * Sets PyTorch's thread pools. PyTorch reads these once per process, so call this before the
   * engine loads; 0 leaves PyTorch's own default.
   *
   * @param interopThreads threads for inter-op parallelism
   * @param intraopThreads threads inside one operator (0 = one per core)
   */
  public static void applyThreads(int interopThreads, int intraopThreads) {
    if (interopThreads > 0) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(interopThreads));
    }
    if (intraopThreads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intraopThreads));
    }
  }
}
