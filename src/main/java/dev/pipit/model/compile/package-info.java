/**
 * The serving compiler: writes a BN-folded pipit network as a TorchScript module whose forward calls
 * oneDNN's prepacked convolutions with fused ReLU and residual additions, loads it through DJL, and
 * checks it against the eager blocks before it serves. Depends on DJL (and the JDK) only.
 */
package dev.pipit.model.compile;
