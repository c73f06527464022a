/**
 * Datasets for training and evaluating hash codes: Fashion-MNIST (IDX), a generic image-folder
 * layout and the official layouts of CUB-200-2011, FGVC-Aircraft, Food-101, NABirds and VegFru.
 * Start at {@link dev.pipit.train.data.DatasetLoader}.
 */
package dev.pipit.train.data;
