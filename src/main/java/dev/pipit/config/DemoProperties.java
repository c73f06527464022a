package dev.pipit.config;

import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The demo gallery indexed at start when the index is empty ({@code pipit.demo.*}); {@code make
 * run} turns it on.
 *
 * @param gallerySize test images to index; 0 turns the demo off
 * @param dataset dataset kind (see the train package's DatasetLoader)
 * @param root dataset directory
 * @param queries further test images written as PNG files to search with
 * @param queriesDir where those PNG files go
 */
@Validated
@ConfigurationProperties("pipit.demo")
public record DemoProperties(
    @Min(0) int gallerySize, String dataset, Path root, @Min(0) int queries, Path queriesDir) {}
