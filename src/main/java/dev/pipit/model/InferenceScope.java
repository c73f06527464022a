package dev.pipit.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's autograd recording off on the current thread for the length of a
 * try-with-resources block, and restores the previous state afterwards (PyTorch's {@code
 * torch.no_grad()}).
 *
 * <p>Why this is needed: libtorch keeps grad mode per thread and starts every thread with it
 * <em>enabled</em>. DJL turns it off only on the thread that loads the engine, and its gradient
 * collector leaves it as it found it. Every other thread (an encoder worker, a request thread)
 * would therefore run with grad mode on, and could record autograd graphs for parameters that
 * require gradients (a network served in the process that trains it). Serving paths run inside this
 * scope as insurance; for parameters loaded from a file (no gradients attached) it costs two JNI
 * calls and changes nothing.
 *
 * <pre>{@code
 * try (InferenceScope scope = InferenceScope.enter()) {
 *   NDArray u = network.serve(ps, images);
 * }
 * }</pre>
 */
public final class InferenceScope implements AutoCloseable {

  private final boolean previous;

  private InferenceScope(boolean previous) {
    this.previous = previous;
  }

  /** Disables grad mode on this thread until {@link #close()}. */
  public static InferenceScope enter() {
    Engine.getEngine(EngineDevice.ENGINE); // loads libtorch if nobody has yet
    boolean previous = JniUtils.isGradMode();
    if (previous) {
      JniUtils.setGradMode(false);
    }
    return new InferenceScope(previous);
  }

  /** Whether PyTorch records gradients on the current thread. */
  public static boolean gradModeEnabled() {
    Engine.getEngine(EngineDevice.ENGINE);
    return JniUtils.isGradMode();
  }

  /** Restores the grad mode that was in effect at {@link #enter()}. Call on the same thread. */
  @Override
  public void close() {
    if (previous) {
      JniUtils.setGradMode(true);
    }
  }
}
