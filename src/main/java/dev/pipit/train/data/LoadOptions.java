package dev.pipit.train.data;

import java.util.Objects;

/**
 * How a dataset is loaded.
 *
 * @param validation how thoroughly image files are checked at load time
 * @param decoder how file-backed splits decode images
 * @param trainPerClass keep only the first this many training images of each class, in list order
 *     ({@code <= 0}: all); see {@link Subsets#firstPerClass}
 * @param testPerClass the same for the test split
 */
public record LoadOptions(
    Validation validation, ImageDecoder decoder, int trainPerClass, int testPerClass) {

  /** Checks for nulls. */
  public LoadOptions {
    Objects.requireNonNull(validation, "validation");
    Objects.requireNonNull(decoder, "decoder");
  }

  /** Full splits, header validation, ImageIO decoding. */
  public static LoadOptions defaults() {
    return new LoadOptions(Validation.HEADERS, ImageDecoder.IMAGE_IO, 0, 0);
  }

  /** These options with a different validation level. */
  public LoadOptions withValidation(Validation level) {
    return new LoadOptions(level, decoder, trainPerClass, testPerClass);
  }

  /** These options with per-class subset sizes. */
  public LoadOptions withSubset(int trainPerClass, int testPerClass) {
    return new LoadOptions(validation, decoder, trainPerClass, testPerClass);
  }

  /** These options with another decoder. */
  public LoadOptions withDecoder(ImageDecoder decoder) {
    return new LoadOptions(validation, decoder, trainPerClass, testPerClass);
  }
}
