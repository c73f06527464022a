/**
 * Image to code: decoding and preprocessing, the batching encoder over a pool of predictors, sign
 * quantisation into packed codes. May depend on {@code model} and {@code index} (for the code
 * type).
 */
package dev.pipit.encode;
