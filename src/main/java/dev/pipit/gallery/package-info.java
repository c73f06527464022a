/**
 * The served gallery: the active model and its index, the kept originals and thumbnails that let
 * the gallery be re-encoded, and switching models without mixing codes of two models. May depend on
 * {@code encode}, {@code model}, {@code index} and {@code train} (datasets for the demo gallery).
 */
package dev.pipit.gallery;
