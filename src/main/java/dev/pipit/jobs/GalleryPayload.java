package dev.pipit.jobs;

import java.util.Map;

/**
 * What the index stores beside each code (as JSON in the entry's payload).
 *
 * @param label class label, or null
 * @param metadata free-form string metadata
 */
public record GalleryPayload(String label, Map<String, String> metadata) {}
