package dev.pipit.api;

import java.nio.file.Path;

/**
 * Where model artifacts live, one directory each.
 *
 * @param root the models directory
 */
public record ModelsDirectory(Path root) {}
