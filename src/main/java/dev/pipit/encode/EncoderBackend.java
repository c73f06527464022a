package dev.pipit.encode;

/**
 * One network instance that turns a batch of preprocessed images into real-valued codes (the tanh
 * outputs). Each {@link BatchingEncoder} worker owns one backend; a backend is used by one thread
 * at a time.
 */
public interface EncoderBackend extends AutoCloseable {

  /**
   * Runs the serving forward pass.
   *
   * @param batch {@code n} preprocessed inputs of {@link #inputLength()} floats each, concatenated
   *     (CHW)
   * @param n number of inputs in the batch
   * @return {@code n} rows of {@link #bits()} real outputs
   */
  float[][] forward(float[] batch, int n);

  /** Code length the network produces. */
  int bits();

  /** Floats per preprocessed input ({@code 3·H·W}). */
  int inputLength();

  /** A short label for logs and metrics, e.g. {@code "cpu"} or {@code "gpu0"}. */
  String device();

  @Override
  void close();
}
