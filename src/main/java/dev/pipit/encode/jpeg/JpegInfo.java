package dev.pipit.encode.jpeg;

/**
 * What a JPEG's frame header (SOF) declares, read without decoding any pixel.
 *
 * @param width pixels per line
 * @param height lines (0 when a DNL marker defines it later)
 * @param components number of colour components
 * @param supported whether {@link JpegDecoder} decodes this coding process (baseline, extended or
 *     progressive Huffman, 8-bit); when false {@link #process} says what it is
 * @param process the coding process, in words
 */
public record JpegInfo(int width, int height, int components, boolean supported, String process) {}
