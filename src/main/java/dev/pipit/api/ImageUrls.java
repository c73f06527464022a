package dev.pipit.api;

/** The URLs under which {@link ImagesController} serves a kept original and its thumbnail. */
final class ImageUrls {

  private ImageUrls() {}

  /** URL of the original with sha-256 {@code sha256}, or null when none is kept. */
  static String original(String sha256) {
    return sha256 == null ? null : "/v1/images/" + sha256;
  }

  /** URL of its thumbnail, or null when no original is kept. */
  static String thumbnail(String sha256) {
    return sha256 == null ? null : "/v1/images/" + sha256 + "/thumbnail";
  }
}
