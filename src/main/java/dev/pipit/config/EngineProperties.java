package dev.pipit.config;

import dev.pipit.model.DevicePreference;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where and how networks run ({@code pipit.engine.*}).
 *
 * @param device {@code auto} (CUDA when visible, else CPU), {@code cpu} or {@code cuda}
 * @param interopThreads PyTorch inter-op threads; 0 keeps PyTorch's default
 * @param intraopThreads PyTorch intra-op threads; 0 means one per core
 */
@Validated
@ConfigurationProperties("pipit.engine")
public record EngineProperties(
    @NotNull DevicePreference device, @Min(0) int interopThreads, @Min(0) int intraopThreads) {}
