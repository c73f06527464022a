package dev.pipit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code pytorch} path: {@code src/test/python/bench_encode.py} running in its own process,
 * driven line by line so its runs interleave with the Java paths. Starting it also writes the
 * TorchScript trace.
 */
final class PythonEager implements AutoCloseable {

  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final Path SCRIPT = Path.of("src/test/python/bench_encode.py");

  private final Process process;
  private final BufferedReader out;
  private final PrintWriter in;
  private final String banner;

  /**
   * Starts the script on {@code dir} (see {@link BenchNetwork#export}) and waits until it is ready.
   */
  PythonEager(Path dir, int threads) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(PYTHON.toString(), SCRIPT.toString(), dir.toString(), "" + threads));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    String line = out.readLine();
    if (line == null || !line.startsWith("ready ")) {
      process.destroy();
      throw new IOException("bench_encode.py did not start: " + line);
    }
    banner = line.substring("ready ".length());
  }

  /** The Python process id. */
  long pid() {
    return process.pid();
  }

  /** Versions and thread settings the script reported. */
  String banner() {
    return banner;
  }

  /**
   * Runs {@code n} eager forward passes at batch {@code batch}; returns their wall time in seconds.
   */
  double run(int batch, int n) throws IOException {
    return Double.parseDouble(ask("run " + batch + " " + n));
  }

  /** Peak RSS of the Python process, KiB. */
  long peakRssKib() throws IOException {
    return Long.parseLong(ask("rss"));
  }

  private String ask(String command) throws IOException {
    in.println(command);
    String line = out.readLine();
    if (line == null || !line.startsWith("ok ")) {
      throw new IOException("bench_encode.py answered '" + line + "' to '" + command + "'");
    }
    return line.substring(3).trim();
  }

  @Override
  public void close() {
    in.println("quit");
    in.close();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
    }
  }
}
