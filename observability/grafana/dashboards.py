"""pipit's four Grafana dashboards, on the meter names of docs/metrics.md (the meter contract).

Panels whose data exist only on a CUDA device say "GPU-only" in their description: PrometheusIT
exempts them from its non-empty check on a CPU machine.
"""

from grafana import INSTANCE, RATE, SEL, dashboard, mean, panel, quantiles, row, target, variable

HTTP = "http_server_requests_seconds"
URI = variable(
    "uri", "Route",
    f'label_values({HTTP}_count{{application="pipit", instance=~"$instance"}}, uri)')
HTTP_SEL = SEL + ', uri=~"$uri"'


def service():
    requests = [
        panel("Request rate by route", "Requests per second per route template and method.",
              [target(f"sum by (method, uri) (rate({HTTP}_count{{{HTTP_SEL}}}{RATE}))",
                      "{{method}} {{uri}}")], unit="reqps"),
        panel("Responses by status", "Responses per second by HTTP status (429: encoder full, "
              "503: timeout or storage fault, 507: disk full).",
              [target(f"sum by (status) (rate({HTTP}_count{{{HTTP_SEL}}}{RATE}))", "{{status}}")],
              unit="reqps", stack=True),
        panel("Latency per route (p50, p95, p99)",
              "Server-side latency quantiles from the percentile histogram of each route.",
              [dict(t, expr=t["expr"].replace(SEL, HTTP_SEL))
               for t in quantiles(HTTP, by="uri", legend="{{uri}}")], unit="s", width=16),
        panel("5xx ratio", "Share of responses that are server errors (0 when there are none). "
              "Alert PipitHighErrorRatio fires above 5 %.",
              [target(f"(sum(rate({HTTP}_count{{{SEL}, status=~\"5..\"}}{RATE})) or vector(0))"
                      f" / sum(rate({HTTP}_count{{{SEL}}}{RATE}))", "5xx")],
              unit="percentunit", kind="stat", width=8, thresholds=[(0.01, "orange"), (0.05, "red")]),
        panel("Auth failures by reason", "Requests refused by security: missing, invalid, "
              "forbidden or expired credentials.",
              [target(f"sum by (reason) (rate(pipit_auth_failures_total{{{SEL}}}{RATE}))",
                      "{{reason}}")], unit="reqps", width=24, height=6),
    ]
    search = [
        panel("Search stage p99", "99th percentile per stage of a search: decode, queue (waiting "
              "for the encoder), encode, scan (index pass), hydrate (labels, metadata, URLs).",
              quantiles("pipit_search_stage_seconds", by="stage", qs=(0.99,), legend="{{stage}}"),
              unit="s"),
        panel("Search stage mean", "Mean time per stage: where an average search spends its time.",
              [mean("pipit_search_stage_seconds", by="stage", legend="{{stage}}")], unit="s",
              stack=True),
        panel("Index pass p99 by strategy", "One pass over the index: linear scan, batched (shared) "
              "scan, or multi-index hashing.",
              quantiles("pipit_search_scan_seconds", by="strategy", qs=(0.5, 0.99),
                        legend="{{strategy}}"), unit="s", width=8),
        panel("Searches by kind and outcome", "Image, code and batch searches per second by outcome.",
              [target(f"sum by (kind, outcome) (rate(pipit_search_requests_total{{{SEL}}}{RATE}))",
                      "{{kind}} {{outcome}}")], unit="reqps", width=8),
        panel("Shared pass size and results", "Queries answered by one shared pass over the index "
              "(coalescing), and hits returned per search.",
              [mean("pipit_search_shared_pass_size", legend="queries per pass"),
               mean("pipit_search_results", legend="results per search")], width=8),
        panel("Label-filter re-fetches", "Searches with a label filter that had to widen their "
              "candidate window and scan again.",
              [target(f"sum(rate(pipit_search_label_refetches_total{{{SEL}}}{RATE}))", "re-fetches")],
              unit="ops", width=24, height=6),
    ]
    encoder = [
        panel("Encoder queue", "Images waiting for the encoder and its capacity; images waiting "
              "for a decode thread. Alert PipitEncoderSaturated fires over 80 %.",
              [target(f"sum(pipit_encoder_queue_depth{{{SEL}}})", "encode queue"),
               target(f"sum(pipit_encoder_queue_capacity{{{SEL}}})", "capacity"),
               target(f"sum(pipit_decode_queue_depth{{{SEL}}})", "decode queue")], width=8),
        panel("Batch size", "Images per forward pass (Triton's inference/execution count).",
              [mean("pipit_encoder_batch_size", legend="mean"),
               target(f"histogram_quantile(0.95, sum by (le) "
                      f"(rate(pipit_encoder_batch_size_bucket{{{SEL}}}{RATE})))", "p95")], width=8),
        panel("Forward pass latency", "Time of one batched forward pass on the device.",
              quantiles("pipit_encoder_batch_seconds", qs=(0.5, 0.99)), unit="s", width=8),
        panel("Images encoded per second", "Encoder throughput.",
              [target(f"sum(rate(pipit_encoder_images_total{{{SEL}}}{RATE}))", "images/s")],
              unit="ops", width=8),
        panel("Refused (429) and timed out (503)", "Requests refused because a queue was full, and "
              "requests that waited longer than the request timeout.",
              [target(f"sum by (reason) (rate(pipit_encoder_rejections_total{{{SEL}}}{RATE}))",
                      "429 {{reason}}"),
               target(f"sum(rate(pipit_encoder_timeouts_total{{{SEL}}}{RATE}))", "503 timeout")],
              unit="reqps", width=8),
        panel("Device and serving path", "The device the encoder runs on (with the requested one "
              "and whether it fell back to the CPU) and the serving path (compiled or eager).",
              [target(f"max by (device, requested, fallback) (pipit_engine_device{{{SEL}}})",
                      "{{device}} (requested {{requested}}, fallback {{fallback}})"),
               target(f"max by (path) (pipit_encoder_serving_path{{{SEL}}})", "{{path}}")],
              kind="table", width=8),
    ]
    return dashboard(
        "pipit-service", "pipit / service",
        "Requests, errors and latency per route; where a search spends its time; the encoder.",
        [row("Requests", requests), row("Search", search), row("Encoder", encoder)],
        variables=(INSTANCE, URI))


def index_storage():
    index = [
        panel("Items and tombstones", "Live items in the index and deleted entries not yet "
              "compacted away.",
              [target(f"sum(pipit_index_items{{{SEL}}})", "items"),
               target(f"sum(pipit_index_tombstones{{{SEL}}})", "tombstones")], width=8),
        panel("Index memory by kind", "Bytes held by packed codes, payloads (labels, metadata) and "
              "multi-index tables.",
              [target(f"sum by (kind) (pipit_index_memory_bytes{{{SEL}}})", "{{kind}}")],
              unit="bytes", width=8, stack=True),
        panel("Payload memory and budget", "Labels and metadata held in memory, against the budget "
              "past which writes are refused.",
              [target(f"sum(pipit_storage_payload_bytes{{{SEL}}})", "used"),
               target(f"sum(pipit_storage_payload_budget_bytes{{{SEL}}})", "budget")],
              unit="bytes", width=8),
    ]
    wal = [
        panel("WAL fsync and append latency", "Write-ahead log fsync p50/p99 (etcd's health line: "
              "p99 under 10 ms; alert PipitWalFsyncSlow) and append p99.",
              quantiles("pipit_wal_fsync_seconds", qs=(0.5, 0.99), legend="fsync")
              + quantiles("pipit_wal_append_seconds", qs=(0.99,), legend="append"),
              unit="s", thresholds=[(0.01, "red")]),
        panel("Group commit size", "Records made durable by one fsync (mean and recent max).",
              [mean("pipit_wal_group_commit_size", legend="mean"),
               target(f"max(pipit_wal_group_commit_size_max{{{SEL}}})", "max")]),
        panel("WAL size", "Bytes of the log since the last snapshot.",
              [target(f"sum(pipit_wal_bytes{{{SEL}}})", "bytes")], unit="bytes", width=8),
        panel("WAL segments", "Segment files of the log.",
              [target(f"sum(pipit_wal_segments{{{SEL}}})", "segments")], width=8),
        panel("Sequences", "Last appended and last durable record of the log, and the record the "
              "last snapshot covers.",
              [target(f"max(pipit_wal_last_sequence{{{SEL}}})", "last"),
               target(f"max(pipit_wal_durable_sequence{{{SEL}}})", "durable"),
               target(f"max(pipit_snapshot_last_sequence{{{SEL}}})", "snapshot")], width=8),
        panel("Records not yet durable", "Appended records waiting for their fsync.",
              [target(f"max(pipit_wal_last_sequence{{{SEL}}} - pipit_wal_durable_sequence{{{SEL}}})",
                      "pending")], width=8),
    ]
    snapshots = [
        panel("Snapshot age", "Time since the last snapshot (since the index opened when there is "
              "none). Alert PipitSnapshotStale fires past an hour with unsnapshotted writes.",
              [target(f"max(pipit_snapshot_age_seconds{{{SEL}}})", "age")], unit="s", width=8,
              thresholds=[(3600, "orange")]),
        panel("Snapshot duration", "Duration of the slowest recent snapshot, and the mean over the "
              "last day.",
              [target(f"max(pipit_snapshot_seconds_max{{{SEL}}})", "max"),
               target(f"sum(increase(pipit_snapshot_seconds_sum{{{SEL}}}[1d]))"
                      f" / sum(increase(pipit_snapshot_seconds_count{{{SEL}}}[1d]))", "mean")],
              unit="s", width=8),
        panel("Snapshot size", "Size of the latest snapshot.",
              [target(f"max(pipit_snapshot_bytes{{{SEL}}})", "size")], unit="bytes", width=8),
        panel("Records since the snapshot", "Log records a restart would replay now.",
              [target(f"max(pipit_wal_last_sequence{{{SEL}}} - pipit_snapshot_last_sequence{{{SEL}}})",
                      "records")], width=8),
        panel("Recovery at start", "How long opening the index took at start, and how many log "
              "records it replayed.",
              [target(f"max(pipit_recovery_seconds{{{SEL}}})", "seconds"),
               target(f"max(pipit_recovery_records_replayed{{{SEL}}})", "records replayed")],
              kind="stat", width=16, height=8),
    ]
    storage = [
        panel("Storage state", "1 while the index's log cannot write (full disk, I/O error); "
              "failures counted. Alert PipitStorageFailure.",
              [target(f"max(pipit_storage_failed{{{SEL}}})", "failed"),
               target(f"sum(increase(pipit_storage_failures_total{{{SEL}}}[1h]))",
                      "failures (1 h)")], kind="stat", width=8, thresholds=[(1, "red")]),
        panel("Kept originals", "Bytes of kept originals and thumbnails against their cap.",
              [target(f"sum(pipit_originals_bytes{{{SEL}}})", "bytes"),
               target(f"sum(pipit_originals_budget_bytes{{{SEL}}})", "cap")], unit="bytes", width=8),
        panel("Originals kept and refused", "Number of kept originals, and originals not kept in "
              "the last hour because the cap was reached (their items cannot be re-encoded).",
              [target(f"sum(pipit_originals_count{{{SEL}}})", "kept"),
               target(f"sum(increase(pipit_originals_refusals_total{{{SEL}}}[1h]))",
                      "refused (1 h)")], width=8),
    ]
    return dashboard(
        "pipit-index-storage", "pipit / index & storage",
        "The in-memory index, its write-ahead log, snapshots, recovery and kept originals.",
        [row("Index", index), row("Write-ahead log", wal), row("Snapshots and recovery", snapshots),
         row("Storage", storage)])


def training_models():
    job = 'method="{{method}}", bits={{bits}}'
    jobs = [
        panel("Jobs by state", "Training jobs queued, running, succeeded, failed and cancelled.",
              [target(f"sum by (state) (pipit_train_jobs{{{SEL}}})", "{{state}}")], width=16),
        panel("Failed jobs (1 h)", "Jobs that failed in the last hour. Alert PipitTrainJobFailed.",
              [target(f"sum(increase(pipit_train_jobs_failed_total{{{SEL}}}[1h]))", "failed")],
              kind="stat", width=8, thresholds=[(1, "red")]),
    ]
    running = [
        panel("Progress", "Share of the running job done.",
              [target(f"max by (method, bits) (pipit_train_progress_ratio{{{SEL}}})", job)],
              unit="percentunit", width=8),
        panel("Outer iteration", "Outer iteration of the running job (ADSH alternates network "
              "epochs and database-code updates).",
              [target(f"max by (method, bits) (pipit_train_outer_iteration{{{SEL}}})", job)], width=8),
        panel("ETA", "Estimated time to completion of the running job.",
              [target(f"max by (method, bits) (pipit_train_eta_seconds{{{SEL}}})", job)], unit="s",
              width=8),
        panel("Loss per iteration", "Training loss after each outer iteration.",
              [target(f"max by (method, bits) (pipit_train_loss{{{SEL}}})", job)], width=8),
        panel("mAP per iteration", "Validation mAP after each outer iteration.",
              [target(f"max by (method, bits) (pipit_train_map{{{SEL}}})", job)],
              unit="percentunit", width=8),
        panel("Step time", "Time of one optimisation step (p50, p99).",
              quantiles("pipit_train_step_seconds", qs=(0.5, 0.99)), unit="s", width=8),
    ]
    models = [
        panel("Serving model", "The model whose codes the index holds (models switched away from read 0).",
              [target(f"max by (model, architecture, bits) (pipit_model_serving{{{SEL}}}) == 1",
                      "{{model}}")], kind="table", width=8),
        panel("Model switch progress", "Items re-encoded, total and failed during a model switch.",
              [target(f"max by (state) (pipit_model_switch_items{{{SEL}}})", "{{state}}")], width=8),
        panel("Model switch duration", "Duration of the slowest recent switch and the mean over "
              "the last day.",
              [target(f"max(pipit_model_switch_seconds_max{{{SEL}}})", "max"),
               target(f"sum(increase(pipit_model_switch_seconds_sum{{{SEL}}}[1d]))"
                      f" / sum(increase(pipit_model_switch_seconds_count{{{SEL}}}[1d]))", "mean")],
              unit="s", width=8),
    ]
    return dashboard(
        "pipit-training-models", "pipit / training & models",
        "Training jobs (state, progress, loss and mAP curves, ETA) and model switches.",
        [row("Jobs", jobs), row("Running job", running), row("Models", models)])


def jvm_host():
    jvm = [
        panel("Heap", "Heap used, committed and max.",
              [target(f'sum(jvm_memory_used_bytes{{{SEL}, area="heap"}})', "used"),
               target(f'sum(jvm_memory_committed_bytes{{{SEL}, area="heap"}})', "committed"),
               target(f'sum(jvm_memory_max_bytes{{{SEL}, area="heap"}})', "max")], unit="bytes",
              width=8),
        panel("Non-heap and direct buffers", "Non-heap pools (metaspace, code cache) and NIO "
              "buffers (direct and mapped).",
              [target(f'sum by (id) (jvm_memory_used_bytes{{{SEL}, area="nonheap"}})', "{{id}}"),
               target(f"sum by (id) (jvm_buffer_memory_used_bytes{{{SEL}}})", "buffer {{id}}")],
              unit="bytes", width=8),
        panel("GC pauses", "Share of time spent in GC pauses, per collector and cause.",
              [target(f"sum by (gc, cause) (rate(jvm_gc_pause_seconds_sum{{{SEL}}}{RATE}))",
                      "{{gc}} {{cause}}")], unit="percentunit", width=8),
        panel("Allocation rate", "Bytes allocated on the heap per second.",
              [target(f"sum(rate(jvm_gc_memory_allocated_bytes_total{{{SEL}}}{RATE}))",
                      "allocated")], unit="Bps", width=8),
        panel("Threads", "Live and daemon threads, and live threads per state.",
              [target(f"sum(jvm_threads_live_threads{{{SEL}}})", "live"),
               target(f"sum(jvm_threads_daemon_threads{{{SEL}}})", "daemon"),
               target(f"sum by (state) (jvm_threads_states_threads{{{SEL}}})", "{{state}}")],
              width=8),
        panel("Classes and JIT", "Loaded classes and JIT compilation time per second.",
              [target(f"sum(jvm_classes_loaded_classes{{{SEL}}})", "loaded classes"),
               target(f"sum(rate(jvm_compilation_time_ms_total{{{SEL}}}{RATE}))",
                      "JIT ms/s")], width=8),
    ]
    host = [
        panel("CPU", "Process and whole-machine CPU use (1 = every core busy), and the 1-minute load "
              "average per core.",
              [target(f"max(process_cpu_usage{{{SEL}}})", "process"),
               target(f"max(system_cpu_usage{{{SEL}}})", "system"),
               target(f"max(system_load_average_1m{{{SEL}}}) / max(system_cpu_count{{{SEL}}})",
                      "load / core")], unit="percentunit", width=8),
        panel("Open files", "File descriptors open and the limit (index segments, originals, "
              "sockets).",
              [target(f"max(process_files_open_files{{{SEL}}})", "open"),
               target(f"max(process_files_max_files{{{SEL}}})", "max")], width=8),
        panel("Log events", "Log lines per second by level.",
              [target(f"sum by (level) (rate(logback_events_total{{{SEL}}}{RATE}))", "{{level}}")],
              unit="ops", width=8),
        panel("Uptime", "Time since the process started.",
              [target(f"max(process_uptime_seconds{{{SEL}}})", "uptime")], unit="s", kind="stat",
              width=12, height=5),
        panel("Disk", "Free and total space of the data directory's disk.",
              [target(f"min(disk_free_bytes{{{SEL}}})", "free"),
               target(f"max(disk_total_bytes{{{SEL}}})", "total")], unit="bytes", kind="stat",
              width=12, height=5),
    ]
    gpu = [
        panel("GPUs visible", "CUDA devices the engine sees (0 on a CPU machine).",
              [target(f"max(pipit_engine_gpus{{{SEL}}})", "GPUs")], kind="stat", width=8),
        panel("GPU memory used", "GPU-only: device memory held by the engine "
              "(registered only when the engine runs on CUDA).",
              [target(f"sum(pipit_engine_gpu_memory_used_bytes{{{SEL}}})", "used")], unit="bytes",
              width=16),
    ]
    return dashboard(
        "pipit-jvm-host", "pipit / JVM & host",
        "Heap, GC, threads, CPU, files and disk of the pipit process; GPU when present.",
        [row("JVM", jvm), row("Process and host", host), row("GPU", gpu, collapsed=True)])


DASHBOARDS = {
    "service": service,
    "index-storage": index_storage,
    "training-models": training_models,
    "jvm-host": jvm_host,
}
