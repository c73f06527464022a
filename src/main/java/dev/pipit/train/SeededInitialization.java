package dev.pipit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.pipit.model.HashingNetwork;

/**
 * Initialises a network's parameters from a seed. DJL's initialisers draw from the engine's one global
 * random generator, so seeding it and drawing must not interleave with another run doing the same (a
 * train job beside a command-line run, or two tests in one JVM): "same seed → same codes" holds only
 * if the pair is atomic, which this class's lock makes it.
 */
final class SeededInitialization {

  private static final Object ENGINE_RANDOM = new Object();

  private SeededInitialization() {}

  /** Seeds the engine's generator and initialises {@code network} for square inputs of {@code side} pixels. */
  static void initialize(HashingNetwork network, NDManager manager, int side, long seed) {
    synchronized (ENGINE_RANDOM) {
      Engine.getInstance().setRandomSeed((int) seed);
      network.initialize(manager, side);
    }
  }
}
