package dev.pipit.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where pipit keeps its files ({@code pipit.storage.*}).
 *
 * @param dataDir index log, snapshots, kept originals and job state
 * @param modelsDir model artifacts, one directory per model
 * @param cacheDir assets fetched from the registries (pretrained weights, sample images)
 * @param maxOriginalBytes most bytes of kept gallery originals and thumbnails; past it, new items keep none
 */
@Validated
@ConfigurationProperties("pipit.storage")
public record StorageProperties(
    @NotNull Path dataDir, @NotNull Path modelsDir, @NotNull Path cacheDir, @Min(0) long maxOriginalBytes) {}
