package dev.pipit.index;

import java.lang.System.Logger.Level;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Keeps the multi-index hash tables in step with the gallery: built in the background when they pay
 * ({@link SearchStrategy#AUTO}) or on demand ({@link SearchStrategy#MIH}), and rebuilt when the
 * codes appended since the last build (scanned linearly meanwhile) grow past 1/8 of it, or after
 * compaction.
 */
final class MihMaintainer {

  private static final System.Logger LOG = System.getLogger(MihMaintainer.class.getName());

  private final Executor background;
  private final Supplier<View> latest;
  private final AtomicBoolean building = new AtomicBoolean();
  private volatile MultiIndexHash current;

  MihMaintainer(Executor background, Supplier<View> latest) {
    this.background = background;
    this.latest = latest;
  }

  /** The tables to use for {@code view}, or {@code null} to scan linearly. */
  MultiIndexHash usable(View view, SearchStrategy strategy) {
    if (strategy == SearchStrategy.LINEAR || view.count == 0) {
      return null;
    }
    MultiIndexHash hash = current;
    boolean fits = hash != null && hash.gallery == view.gallery;
    if (strategy == SearchStrategy.AUTO && !pays(view)) {
      return null;
    }
    if (!fits && strategy == SearchStrategy.MIH) {
      hash = buildNow(view);
      fits = true;
    }
    if (!fits || view.count - hash.size > Math.max(Searcher.MIH_MIN, hash.size / 8)) {
      scheduleBuild();
    }
    return fits ? hash : null;
  }

  /**
   * Whether multi-index hashing is expected to beat the scan: a large gallery cut into few tables.
   */
  static boolean pays(View view) {
    return view.liveCount() >= Searcher.MIH_MIN
        && MultiIndexHash.tablesFor(view.gallery.bits, view.count) <= Searcher.MIH_MAX_TABLES;
  }

  /** Bytes held by the current tables. */
  long bytes() {
    MultiIndexHash hash = current;
    return hash == null ? 0 : hash.bytes();
  }

  private synchronized MultiIndexHash buildNow(View view) {
    MultiIndexHash hash = current;
    if (hash == null || hash.gallery != view.gallery || hash.size < view.count) {
      hash = MultiIndexHash.build(view);
      install(hash);
    }
    return hash;
  }

  private synchronized void install(MultiIndexHash hash) {
    MultiIndexHash old = current;
    if (old == null || old.gallery != hash.gallery || old.size < hash.size) {
      current = hash;
    }
  }

  private void scheduleBuild() {
    if (!building.compareAndSet(false, true)) {
      return;
    }
    try {
      background.execute(
          () -> {
            try {
              View view = latest.get();
              long start = System.nanoTime();
              install(MultiIndexHash.build(view));
              LOG.log(
                  Level.DEBUG,
                  "multi-index hash over {0} codes built in {1} ms",
                  view.count,
                  (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException | OutOfMemoryError e) {
              LOG.log(Level.WARNING, "multi-index hash build failed; searches keep scanning", e);
            } finally {
              building.set(false);
            }
          });
    } catch (RuntimeException rejected) { // executor shut down: the index is closing
      building.set(false);
    }
  }
}
