/**
 * Classical hashing baselines on pretrained features: LSH (random hyperplanes) and ITQ (PCA +
 * iterative quantisation). Both fit a {@link dev.pipit.train.baseline.LinearHasher}.
 */
package dev.pipit.train.baseline;
