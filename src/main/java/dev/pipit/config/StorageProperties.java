package dev.pipit.config;

import dev.pipit.index.IndexOptions;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Where pipit keeps its files ({@code pipit.storage.*}).
 *
 * @param dataDir index log, snapshots, kept originals and job state
 * @param modelsDir model artifacts, one directory per model
 * @param cacheDir assets fetched from the registries (pretrained weights, sample images)
 * @param maxOriginalBytes most bytes of kept gallery originals and thumbnails; past it, new items
 *     keep none
 * @param snapshotEveryRecords the index snapshots itself in the background after this many log
 *     records since its last snapshot (0: never by count)
 * @param snapshotLogSize … or once the log has grown by this much (0: never by size)
 * @param snapshotInterval … or this long after its last snapshot, if anything changed (0: never by
 *     time)
 * @param maxPayloadBytes most bytes of labels and metadata (serialized) the gallery index holds in
 *     memory together; writes past it get 507. Unset: a quarter of the maximum heap. Never applied
 *     when the index is loaded at start, so a full index restarts.
 */
@Validated
@ConfigurationProperties("pipit.storage")
public record StorageProperties(
    @NotNull Path dataDir,
    @NotNull Path modelsDir,
    @NotNull Path cacheDir,
    @Min(0) long maxOriginalBytes,
    @DefaultValue("1000000") @PositiveOrZero long snapshotEveryRecords,
    @DefaultValue("256MB") @NotNull DataSize snapshotLogSize,
    @DefaultValue("10m") @NotNull Duration snapshotInterval,
    DataSize maxPayloadBytes) {

  /** The payload budget in bytes, {@link #maxPayloadBytes} or its default. */
  public long payloadBudgetBytes() {
    return maxPayloadBytes == null
        ? IndexOptions.defaultMaxPayloadBytes()
        : maxPayloadBytes.toBytes();
  }
}
