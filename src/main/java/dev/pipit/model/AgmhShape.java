package dev.pipit.model;

import java.util.Map;

/**
 * The shape of AGMH's head, the values its ablations vary: G attribute descriptors of D channels
 * each, and SIEA's memory size S and step count T. {@link #PAPER} is the official code's (6
 * descriptors of 2048/4 channels, memory 128, 4 steps). A model artifact records a non-default
 * shape in its provenance settings ({@link #writeTo}), so that loading rebuilds the same
 * parameters.
 *
 * @param descriptors G, at least 2 (the dispersion loss compares pairs)
 * @param channels D per descriptor
 * @param memory SIEA memory rows S
 * @param steps SIEA interaction steps T
 */
public record AgmhShape(int descriptors, int channels, int memory, int steps) {

  /**
   * The official code's head: {@code top_k = 5} (+1), {@code feat_size / 4}, {@code k = 128}, 4.
   */
  public static final AgmhShape PAPER = new AgmhShape(6, 512, 128, 4);

  private static final String DESCRIPTORS = "agmh_descriptors";
  private static final String CHANNELS = "agmh_descriptor_channels";
  private static final String MEMORY = "siea_memory";
  private static final String STEPS = "siea_steps";

  public AgmhShape {
    if (descriptors < 2) {
      throw new IllegalArgumentException("AGMH needs at least 2 descriptors, got " + descriptors);
    }
    if (channels < 1 || memory < 1 || steps < 1) {
      throw new IllegalArgumentException(
          "descriptor channels, SIEA memory and steps must be positive");
    }
  }

  /** This shape with another descriptor count. */
  public AgmhShape withDescriptors(int g) {
    return new AgmhShape(g, channels, memory, steps);
  }

  /** This shape with another SIEA memory size and step count. */
  public AgmhShape withSiea(int s, int t) {
    return new AgmhShape(descriptors, channels, s, t);
  }

  /** Records this shape in a manifest's provenance settings. */
  public void writeTo(Map<String, String> settings) {
    settings.put(DESCRIPTORS, "" + descriptors);
    settings.put(CHANNELS, "" + channels);
    settings.put(MEMORY, "" + memory);
    settings.put(STEPS, "" + steps);
  }

  /**
   * The shape a manifest records; {@link #PAPER} where it records none (artifacts written before
   * the shape was settable).
   */
  public static AgmhShape of(ModelManifest manifest) {
    Map<String, String> s =
        manifest.provenance() == null || manifest.provenance().settings() == null
            ? Map.of()
            : manifest.provenance().settings();
    return new AgmhShape(
        intOr(s, DESCRIPTORS, PAPER.descriptors),
        intOr(s, CHANNELS, PAPER.channels),
        intOr(s, MEMORY, PAPER.memory),
        intOr(s, STEPS, PAPER.steps));
  }

  private static int intOr(Map<String, String> settings, String key, int fallback) {
    String value = settings.get(key);
    return value == null ? fallback : Integer.parseInt(value.strip());
  }
}
