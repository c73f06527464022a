package dev.pipit.config;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Training jobs and admin access ({@code pipit.jobs.*}).
 *
 * @param allowedRoots dataset directories a job may read must lie under one of these
 * @param backboneWeights TF.js {@code model.json} of the ImageNet ResNet-50
 * @param adminToken bearer token of the admin endpoints ({@code PIPIT_ADMIN_TOKEN}); blank: one is
 *     generated at start and logged
 */
@Validated
@ConfigurationProperties("pipit.jobs")
public record JobsProperties(
    @NotNull List<Path> allowedRoots, @NotNull Path backboneWeights, String adminToken) {}
