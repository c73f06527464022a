package dev.pipit.train.data;

/** How thoroughly a loader checks the image files its lists name, before any training starts. */
public enum Validation {
  /** Every listed file exists and is a readable regular file. */
  EXISTS,
  /**
   * As {@link #EXISTS}, and an ImageIO reader recognises each file and reads its width and height
   * from the header (cheap: no pixel data is decoded). The default.
   */
  HEADERS,
  /** Every image is fully decoded with the split's {@link ImageDecoder}. Slow on large datasets. */
  FULL
}
