package dev.pipit.metrics;

import dev.pipit.index.IndexListener;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Records what every gallery index does (passes, log writes and fsyncs, snapshots): {@code
 * pipit_search_scan_seconds{strategy}}, {@code pipit_search_shared_pass_size}, {@code
 * pipit_wal_append_seconds}, {@code pipit_wal_fsync_seconds}, {@code pipit_wal_group_commit_size},
 * {@code pipit_snapshot_seconds}. Every meter is registered up front, so a pass only adds to one.
 */
public final class IndexMeters implements IndexListener {

  private final Timer[] scans = new Timer[Pass.values().length];
  private final DistributionSummary sharedPass;
  private final Timer walAppend;
  private final Timer walFsync;
  private final DistributionSummary groupCommit;
  private final Timer snapshot;

  public IndexMeters(MeterRegistry registry) {
    for (Pass pass : Pass.values()) {
      scans[pass.ordinal()] =
          Meters.latency("pipit.search.scan", "One search pass over the gallery index")
              .tag("strategy", pass.tag())
              .register(registry);
    }
    sharedPass =
        Meters.summary(
            registry,
            "pipit.search.shared.pass.size",
            "Queries answered by one pass over the index (coalesced searches or a batch)",
            1024);
    walAppend =
        Meters.timer(
            registry,
            "pipit.wal.append",
            "Writing one group of log records to the write-ahead log segment (before its fsync)");
    walFsync = Meters.timer(registry, "pipit.wal.fsync", "One fsync of the write-ahead log");
    groupCommit =
        Meters.summary(
            registry,
            "pipit.wal.group.commit.size",
            "Log records made durable by one fsync",
            100_000);
    snapshot = Meters.timer(registry, "pipit.snapshot", "Writing one index snapshot");
  }

  @Override
  public void scanned(Pass pass, long nanos) {
    scans[pass.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void sharedPass(int queries) {
    sharedPass.record(queries);
  }

  @Override
  public void logWritten(long nanos) {
    walAppend.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void logSynced(long nanos, long records) {
    walFsync.record(nanos, TimeUnit.NANOSECONDS);
    groupCommit.record(records);
  }

  @Override
  public void snapshotWritten(long nanos, long bytes) {
    snapshot.record(nanos, TimeUnit.NANOSECONDS);
  }
}
