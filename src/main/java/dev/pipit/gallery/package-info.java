/**
 * The served gallery: the active model and its index, searching it ({@link
 * dev.pipit.gallery.GallerySearch}) and writing to it ({@link dev.pipit.gallery.GalleryItems}), the
 * kept originals and thumbnails that let the gallery be re-encoded, the model artifacts on disk,
 * and switching models without mixing codes of two models. May depend on {@code encode}, {@code
 * model}, {@code index} and {@code train} (datasets for the demo gallery).
 */
package dev.pipit.gallery;
