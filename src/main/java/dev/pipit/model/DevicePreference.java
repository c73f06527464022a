package dev.pipit.model;

/** Which device the operator asked pipit to run networks on. */
public enum DevicePreference {
  /** CUDA when the engine sees a GPU, else the CPU. */
  AUTO,
  /** Always the CPU. */
  CPU,
  /** The first GPU; falls back to the CPU (logged, and visible in metrics) when there is none. */
  CUDA
}
