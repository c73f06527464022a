package dev.pipit.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * N clients, each sending its next request as soon as the previous one is answered (a closed loop,
 * like wrk), for a warm-up and then a measured period. Latencies go into one HdrHistogram per
 * client (microseconds, 3 significant digits), merged at the end. A closed loop measures what a
 * client waits; it does not add the waits of requests that a stalled client never sent (coordinated
 * omission), so tails under overload read lower than an open-loop generator's would.
 */
final class ClosedLoop {

  /**
   * What one case measured.
   *
   * @param latency every measured request's latency in microseconds
   * @param ok 2xx answers in the measured period
   * @param errors other answers or failures in the measured period (they are timed too)
   * @param seconds length of the measured period
   * @param firstError the first error's status and body, for the log
   */
  record Result(Histogram latency, long ok, long errors, double seconds, String firstError) {
    double rps() {
      return ok / seconds;
    }

    double ms(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  private ClosedLoop() {}

  /**
   * Runs {@code clients} loops; loop {@code c} sends {@code requests.apply(c)}'s requests over its
   * own HTTP/1.1 connection.
   *
   * @param requests for client {@code c}, a source of requests (each call returns the next)
   */
  static Result run(
      int clients, Duration warmup, Duration measure, IntFunction<RequestSource> requests)
      throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long measureTo = measureFrom + measure.toNanos();
    List<Histogram> histograms = new ArrayList<>();
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    StringBuilder firstError = new StringBuilder();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Histogram h = new Histogram(60_000_000L, 3);
      histograms.add(h);
      RequestSource source = requests.apply(c);
      threads.add(
          Thread.ofPlatform()
              .name("http-bench-" + c)
              .start(() -> loop(source, h, measureFrom, measureTo, ok, errors, firstError)));
    }
    for (Thread t : threads) {
      t.join();
    }
    Histogram all = new Histogram(60_000_000L, 3);
    histograms.forEach(all::add);
    return new Result(all, ok.get(), errors.get(), measure.toNanos() / 1e9, firstError.toString());
  }

  /** The next request of one client. */
  interface RequestSource {
    HttpRequest next();
  }

  private static void loop(
      RequestSource source,
      Histogram h,
      long measureFrom,
      long measureTo,
      AtomicLong ok,
      AtomicLong errors,
      StringBuilder firstError) {
    // One client per connection: a pool shared by every client would hide the connection count.
    try (HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build()) {
      while (true) {
        HttpRequest request = source.next();
        long sent = System.nanoTime();
        if (sent >= measureTo) {
          return;
        }
        int status;
        String body;
        try {
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          status = response.statusCode();
          body = response.body();
        } catch (Exception e) {
          status = -1;
          body = e.toString();
        }
        long done = System.nanoTime();
        if (sent < measureFrom) {
          continue; // warm-up: JIT, connection, caches
        }
        h.recordValue(Math.min(h.getHighestTrackableValue(), (done - sent) / 1000));
        if (status / 100 == 2) {
          ok.incrementAndGet();
        } else {
          errors.incrementAndGet();
          synchronized (firstError) {
            if (firstError.isEmpty()) {
              firstError.append(status).append(' ').append(body, 0, Math.min(200, body.length()));
            }
          }
        }
      }
    }
  }
}
