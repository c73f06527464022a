package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.encode.ScanBombs;
import dev.pipit.model.Architecture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service under a decoding attack: scan bombs (a progressive JPEG with thousands of
 * scans), pixel bombs (a small file declaring a huge frame) and costly but legal progressive images
 * are sent from many clients at once, while {@code /livez} is timed. Every attack answer must be a
 * precise problem (413, or 429 when decoding is saturated), never a 5xx, and liveness must stay
 * fast.
 */
class DecodeAttackIT {

  static final int SIDE = 32;
  static final int BITS = 32;
  static final int ATTACKERS = 8;

  @TempDir Path dir;

  @Test
  void bombsInParallelGetProblemsAndLivenessStaysFast() throws Exception {
    Path model = TestModels.writeRandom(dir, "adsh-attack-32", Architecture.ADSH_R50, BITS, SIDE);
    byte[] scanBomb = ScanBombs.repeatFirstScan(ScanBombs.progressive(256, 256), 2000);
    byte[] pixelBomb = ScanBombs.declaring(ScanBombs.baseline(64, 64), 60000, 60000);
    byte[] heavy = ScanBombs.progressive(2048, 2048);
    List<byte[]> attacks = List.of(scanBomb, pixelBomb, heavy);
    List<String> args =
        List.of(
            "--pipit.serving.model=" + model,
            "--pipit.storage.data-dir=" + dir.resolve("data"),
            "--pipit.engine.device=cpu",
            "--spring.servlet.multipart.max-file-size=20MB",
            "--spring.servlet.multipart.max-request-size=40MB");
    try (ServiceProcess service = ServiceProcess.start(dir, List.of(), args)) {
      service.awaitReady(Duration.ofMinutes(3));
      List<Long> quiet = probeLiveness(service, 50);

      AtomicBoolean attacking = new AtomicBoolean(true);
      Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
      List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
      List<Thread> attackers = new ArrayList<>();
      for (int a = 0; a < ATTACKERS; a++) {
        int first = a;
        attackers.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      int i = first;
                      while (attacking.get()) {
                        byte[] image = attacks.get(i++ % attacks.size());
                        try {
                          HttpResponse<String> response =
                              service.post(
                                  "/v1/search",
                                  new Multipart().file("image", "a.jpg", "image/jpeg", image));
                          int status = response.statusCode();
                          statuses
                              .computeIfAbsent(status, s -> new AtomicInteger())
                              .incrementAndGet();
                          boolean problem =
                              response
                                  .headers()
                                  .firstValue("Content-Type")
                                  .orElse("")
                                  .startsWith("application/problem+json");
                          if (status >= 500 || (status != 200 && !problem)) {
                            unexpected.add(status + " " + response.body());
                          }
                        } catch (Exception e) {
                          unexpected.add(e.toString());
                        }
                      }
                    }));
      }
      Thread.sleep(1000); // let the attack fill the decode pool and the queue
      List<Long> attacked = probeLiveness(service, 200);
      attacking.set(false);
      for (Thread attacker : attackers) {
        attacker.join(Duration.ofMinutes(2));
      }

      System.out.printf(
          "decode attack (%d clients, scan bomb %d KB, pixel bomb, 2048² progressive): /livez quiet"
              + " p50 %.1f ms p99 %.1f ms; under attack p50 %.1f ms p99 %.1f ms; answers %s%n",
          ATTACKERS,
          scanBomb.length / 1024,
          millis(quiet, 0.5),
          millis(quiet, 0.99),
          millis(attacked, 0.5),
          millis(attacked, 0.99),
          statuses);
      assertThat(unexpected).as("answers that are not problems").isEmpty();
      assertThat(statuses.keySet()).contains(413);
      assertThat(millis(attacked, 0.99)).as("/livez p99 under attack, ms").isLessThan(1000);
      // The service still searches once the attack stops.
      HttpResponse<String> search =
          service.post(
              "/v1/search",
              new Multipart().file("image", "ok.jpg", "image/jpeg", ScanBombs.baseline(64, 64)));
      assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
    }
  }

  /** {@code count} sequential {@code GET /livez} latencies in nanoseconds, each asserted 200. */
  static List<Long> probeLiveness(ServiceProcess service, int count) throws Exception {
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = service.get("/livez");
      latencies.add(System.nanoTime() - start);
      assertThat(response.statusCode()).isEqualTo(200);
      Thread.sleep(10);
    }
    return latencies;
  }

  static double millis(List<Long> latencies, double quantile) {
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    int index = Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1);
    return sorted.get(Math.max(0, index)) / 1e6;
  }
}
