/**
 * The serving compiler: writes a BN-folded pipit network as a TorchScript module whose forward
 * calls oneDNN convolutions on prepacked kernels and oneDNN-layout activations, loads it through
 * DJL, and checks it against the eager blocks before it serves. Depends on DJL (and the JDK) only.
 */
package dev.pipit.model.compile;
