package dev.pipit;

import dev.pipit.encode.EncoderBackend;
import dev.pipit.encode.Preprocessing;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A network for tests, on a {@code fake} device: {@code bits} outputs per image of {@code spec}'s
 * size, +1 each unless a subclass computes them ({@link #outputs}). Its forward pass first counts
 * {@code entered} down, then waits (up to 30 s) for {@code gate} to open; either may be null.
 */
public class FakeEncoderBackend implements EncoderBackend {

  private final int bits;
  private final int inputLength;
  private final CountDownLatch entered;
  private final CountDownLatch gate;

  public FakeEncoderBackend(
      int bits, Preprocessing spec, CountDownLatch entered, CountDownLatch gate) {
    this.bits = bits;
    this.inputLength = spec.floatsPerImage();
    this.entered = entered;
    this.gate = gate;
  }

  @Override
  public final float[][] forward(float[] batch, int n) {
    if (entered != null) {
      entered.countDown();
    }
    if (gate != null) {
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return outputs(batch, n);
  }

  /** The outputs for {@code n} images of {@link #inputLength()} floats each: +1 for every bit. */
  protected float[][] outputs(float[] batch, int n) {
    float[][] out = new float[n][bits];
    for (float[] row : out) {
      Arrays.fill(row, 1f);
    }
    return out;
  }

  @Override
  public final int bits() {
    return bits;
  }

  @Override
  public final int inputLength() {
    return inputLength;
  }

  @Override
  public String device() {
    return "fake";
  }

  @Override
  public void close() {}
}
