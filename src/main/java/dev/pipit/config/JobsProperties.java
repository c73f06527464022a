package dev.pipit.config;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Training jobs ({@code pipit.jobs.*}).
 *
 * @param allowedRoots dataset directories a job may read must lie under one of these
 * @param backboneWeights TF.js {@code model.json} of the ImageNet ResNet-50
 * @param adminToken deprecated: a plain-text admin API key ({@code PIPIT_ADMIN_TOKEN}), hashed at
 *     start; configure a hashed key under {@code pipit.security.keys} instead
 */
@Validated
@ConfigurationProperties("pipit.jobs")
public record JobsProperties(
    @NotNull List<Path> allowedRoots, @NotNull Path backboneWeights, String adminToken) {}
