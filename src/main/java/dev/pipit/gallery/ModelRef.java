package dev.pipit.gallery;

/**
 * The model that produced the codes of a response.
 *
 * @param id model name
 * @param architecture agmh, fcaenet, adsh-r50, torchscript…
 * @param bits code length
 * @param fingerprint identity of its weights
 */
public record ModelRef(String id, String architecture, int bits, String fingerprint) {}
