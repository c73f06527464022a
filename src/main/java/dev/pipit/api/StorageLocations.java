package dev.pipit.api;

import java.nio.file.Path;

/**
 * Directories the controllers write to.
 *
 * @param datasetsDir where datasets the service writes itself (the gallery's export) go
 */
public record StorageLocations(Path datasetsDir) {}
