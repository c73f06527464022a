package dev.pipit.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line console progress bar with rate and ETA. On a terminal it redraws in place; elsewhere
 * (CI logs, files) it prints a new line at most every {@code quietInterval}, so logs stay readable.
 */
public final class ConsoleProgress {

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final Duration quietInterval;
  private final LongSupplier nanoTime;
  private long taskStartNanos;
  private long lastPrintNanos;
  private String task = "";

  /**
   * @param out where to draw (usually {@code System.err})
   * @param terminal redraw in place with carriage returns
   * @param quietInterval least time between lines when not on a terminal
   */
  public ConsoleProgress(PrintStream out, boolean terminal, Duration quietInterval) {
    this(out, terminal, quietInterval, System::nanoTime);
  }

  /** With a clock of its own (tests). */
  ConsoleProgress(
      PrintStream out, boolean terminal, Duration quietInterval, LongSupplier nanoTime) {
    this.out = out;
    this.terminal = terminal;
    this.quietInterval = quietInterval;
    this.nanoTime = nanoTime;
    this.taskStartNanos = nanoTime.getAsLong();
    this.lastPrintNanos = Long.MIN_VALUE / 2;
  }

  /** Progress on the process's stderr; in place when a console is attached. */
  public static ConsoleProgress onStderr() {
    return new ConsoleProgress(System.err, System.console() != null, Duration.ofSeconds(10));
  }

  /**
   * Names the current task (e.g. "iteration 3/40"). A new name starts a new task, whose elapsed
   * time and ETA count from now; the same name again (callers may set it with every update) changes
   * nothing.
   */
  public void task(String label) {
    if (!label.equals(task)) {
      this.task = label;
      this.taskStartNanos = nanoTime.getAsLong();
    }
  }

  /**
   * Shows {@code done} of {@code total} with a free-form status (loss, mAP…).
   *
   * @param force print even if the quiet interval has not passed (e.g. at the end of a task)
   */
  public void update(long done, long total, String status, boolean force) {
    long now = nanoTime.getAsLong();
    if (!terminal && !force && now - lastPrintNanos < quietInterval.toNanos()) {
      return;
    }
    lastPrintNanos = now;
    String line = render(done, total, status, Duration.ofNanos(now - taskStartNanos));
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
            status == null ? "" : status)
        .strip();
  }

  static String format(Duration d) {
    long s = d.toSeconds();
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }
}
