package dev.pipit.model.compile;

/** Whether a pipit network is compiled for serving ({@code pipit.serving.compile}). */
public enum CompileMode {
  /**
   * Compile on the CPU; serve the eager blocks, with the reason logged, where compiling fails or
   * does not apply.
   */
  AUTO,
  /** Always serve the eager DJL blocks. */
  OFF
}
