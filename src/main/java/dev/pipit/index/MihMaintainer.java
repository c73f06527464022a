package dev.pipit.index;

import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the multi-index hash tables in step with the gallery: built in the background when they pay
 * ({@link SearchStrategy#AUTO}) or on demand ({@link SearchStrategy#MIH}), and rebuilt when the
 * codes appended since the last build (scanned linearly meanwhile) grow past 1/8 of it, or after
 * compaction.
 */
final class MihMaintainer {

  private static final Logger LOG = LoggerFactory.getLogger(MihMaintainer.class);

  private final Supplier<View> latest;
  private final BackgroundTask builds;
  private volatile MultiIndexHash current;

  MihMaintainer(Executor background, Supplier<View> latest) {
    this.latest = latest;
    this.builds =
        new BackgroundTask(
            background,
            this::buildLatest,
            e -> LOG.warn("multi-index hash build failed; searches keep scanning", e));
  }

  /** The tables to use for {@code view}, or {@code null} to scan linearly. */
  MultiIndexHash usable(View view, SearchStrategy strategy) {
    if (strategy == SearchStrategy.LINEAR || view.count == 0) {
      return null;
    }
    MultiIndexHash hash = current;
    boolean fits = hash != null && hash.generation == view.generation;
    if (strategy == SearchStrategy.AUTO && !pays(view)) {
      return null;
    }
    if (!fits && strategy == SearchStrategy.MIH) {
      hash = buildNow(view);
      fits = true;
    }
    if (!fits || view.count - hash.size > Math.max(Searcher.MIH_MIN, hash.size / 8)) {
      builds.trigger();
    }
    return fits ? hash : null;
  }

  /**
   * Whether multi-index hashing is expected to beat the scan: a large gallery cut into few tables.
   */
  static boolean pays(View view) {
    return view.liveCount() >= Searcher.MIH_MIN
        && MultiIndexHash.tablesFor(view.generation.bits, view.count) <= Searcher.MIH_MAX_TABLES;
  }

  /** Bytes held by the current tables. */
  long bytes() {
    MultiIndexHash hash = current;
    return hash == null ? 0 : hash.bytes();
  }

  private synchronized MultiIndexHash buildNow(View view) {
    MultiIndexHash hash = current;
    if (hash == null || hash.generation != view.generation || hash.size < view.count) {
      hash = MultiIndexHash.build(view);
      install(hash);
    }
    return hash;
  }

  private synchronized void install(MultiIndexHash hash) {
    MultiIndexHash old = current;
    if (old == null || old.generation != hash.generation || old.size < hash.size) {
      current = hash;
    }
  }

  private void buildLatest() {
    View view = latest.get();
    long start = System.nanoTime();
    install(MultiIndexHash.build(view));
    LOG.debug(
        "multi-index hash over {} codes built in {} ms",
        view.count,
        (System.nanoTime() - start) / 1_000_000);
  }
}
