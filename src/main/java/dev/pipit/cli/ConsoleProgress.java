package dev.pipit.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line console progress bar with rate and ETA. On a terminal it redraws in place; elsewhere (CI
 * logs, files) it prints a new line at most every {@code quietInterval}, so logs stay readable.
 */
public final class ConsoleProgress {

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final Duration quietInterval;
  private final long startNanos;
  private long lastPrintNanos;
  private String task = "";

  /**
   * @param out where to draw (usually {@code System.err})
   * @param terminal redraw in place with carriage returns
   * @param quietInterval least time between lines when not on a terminal
   */
  public ConsoleProgress(PrintStream out, boolean terminal, Duration quietInterval) {
    this.out = out;
    this.terminal = terminal;
    this.quietInterval = quietInterval;
    this.startNanos = System.nanoTime();
    this.lastPrintNanos = Long.MIN_VALUE / 2;
  }

  /** Progress on the process's stderr; in place when a console is attached. */
  public static ConsoleProgress onStderr() {
    return new ConsoleProgress(System.err, System.console() != null, Duration.ofSeconds(10));
  }

  /** Starts a new task label (e.g. "iteration 3/40"). */
  public void task(String label) {
    this.task = label;
  }

  /**
   * Shows {@code done} of {@code total} with a free-form status (loss, mAP…).
   *
   * @param force print even if the quiet interval has not passed (e.g. at the end of a task)
   */
  public void update(long done, long total, String status, boolean force) {
    long now = System.nanoTime();
    if (!terminal && !force && now - lastPrintNanos < quietInterval.toNanos()) {
      return;
    }
    lastPrintNanos = now;
    String line = render(done, total, status, Duration.ofNanos(now - startNanos));
    if (terminal) {
      out.print("\r" + line + "\u001b[K");
      if (done >= total) {
        out.println();
      }
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Prints a line of its own (a finished iteration's summary), after the bar. */
  public void line(String text) {
    if (terminal) {
      out.print("\r\u001b[K");
    }
    out.println(text);
    out.flush();
  }

  String render(long done, long total, String status, Duration elapsed) {
    double fraction = total <= 0 ? 0 : Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    String eta = done <= 0 ? "--:--" : format(elapsed.multipliedBy(total - done).dividedBy(done));
    return String.format(
        Locale.ROOT,
        "%s [%s] %3.0f%% %d/%d elapsed %s eta %s %s",
        task,
        bar,
        100 * fraction,
        done,
        total,
        format(elapsed),
        eta,
        status == null ? "" : status).strip();
  }

  static String format(Duration d) {
    long s = d.toSeconds();
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }
}
