/**
 * Learning codes: datasets, the asymmetric (ADSH) training loop with AGMH and FCAENet losses,
 * classical baselines and evaluation (mAP, precision@k, PR curves). May depend on {@code model},
 * {@code encode} and {@code index}.
 */
package dev.pipit.train;
