package dev.pipit.jobs;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * {@code POST /v1/train-jobs}: what to train.
 *
 * @param name name of the model to register (letters, digits, '.', '_', '-')
 * @param method agmh, fcaenet or adsh-r50
 * @param bits code length
 * @param dataset dataset kind (fashion-mnist, image-folder, cub200, aircraft, food101, nabirds, vegfru)
 * @param root dataset directory; must lie under a configured allowed root
 * @param trainPerClass database images per class (0 = all)
 * @param testPerClass query images per class (0 = all)
 * @param outerIterations T_out override
 * @param innerEpochs T_in override
 * @param samples m override
 * @param inputSize network input side override
 */
public record TrainJobRequest(
    @NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}") String name,
    @NotBlank String method,
    @Min(1) @Max(1024) int bits,
    @NotBlank String dataset,
    @NotBlank String root,
    @Min(0) Integer trainPerClass,
    @Min(0) Integer testPerClass,
    @Min(1) @Max(1000) Integer outerIterations,
    @Min(1) @Max(1000) Integer innerEpochs,
    @Min(1) Integer samples,
    @Min(32) @Max(1024) Integer inputSize) {}
