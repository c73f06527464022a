package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.model.Architecture;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged means durable: the packaged service is killed with SIGKILL in the middle of a stream
 * of index requests, restarted on the same data directory, and must still hold every item it
 * acknowledged, with the same code. (Every other kind of write, snapshots and model switches under
 * SIGKILL: {@link WriteCrashIT}, {@link ModelSwitchCrashIT}.)
 */
class ServiceDurabilityIT {

  static final int SIDE = 32;
  static final int BITS = 32;

  @TempDir Path dir;

  static List<String> args(Path model, Path data) {
    return List.of(
        "--pipit.serving.model=" + model,
        "--pipit.storage.data-dir=" + data,
        "--pipit.engine.device=cpu",
        "--pipit.serving.group-commit-millis=5");
  }

  @Test
  void everyAcknowledgedItemSurvivesSigkill() throws Exception {
    Path model = TestModels.writeRandom(dir, "adsh-it-32", Architecture.ADSH_R50, BITS, SIDE);
    Path data = dir.resolve("data");
    Map<String, String> acknowledged = new LinkedHashMap<>();
    Random random = new Random(11);
    Path keyFile = data.resolve("api-keys.txt");
    String keys;
    String writeKey;
    try (ServiceProcess service = ServiceProcess.start(dir, List.of(), args(model, data))) {
      service.awaitReady(Duration.ofMinutes(3));
      // No key configured: the service generated its keys; the writers use the write key.
      keys = Files.readString(keyFile);
      Properties generated = new Properties();
      generated.load(new StringReader(keys));
      writeKey = generated.getProperty("write");
      assertThat(writeKey).isNotBlank();
      assertThat(service.log())
          .contains(keyFile.toAbsolutePath().toString())
          .doesNotContain(writeKey);
      GalleryClient client = new GalleryClient(service, writeKey);
      long killAt = System.nanoTime() + Duration.ofMillis(1500 + random.nextInt(1000)).toNanos();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        writers.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      Random codes = new Random(writer);
                      for (int i = 0; ; i++) {
                        String id = "w" + writer + "-" + i;
                        byte[] raw = new byte[BITS / 8];
                        codes.nextBytes(raw);
                        String code = HexFormat.of().formatHex(raw);
                        try {
                          HttpResponse<String> response = client.indexCode(id, code, "w");
                          if (response.statusCode() == 200
                              && response.body().contains("\"indexed\":1")) {
                            synchronized (acknowledged) {
                              acknowledged.put(id, code);
                            }
                          }
                        } catch (Exception killed) {
                          return; // the service is gone
                        }
                      }
                    }));
      }
      while (System.nanoTime() < killAt) {
        Thread.sleep(50);
      }
      service.kill();
      for (Thread writer : writers) {
        writer.join(Duration.ofSeconds(30));
      }
    }
    assertThat(acknowledged).hasSizeGreaterThan(20);

    try (ServiceProcess restarted = ServiceProcess.start(dir, List.of(), args(model, data))) {
      restarted.awaitReady(Duration.ofMinutes(3));
      assertThat(Files.readString(keyFile)).as("generated keys reused").isEqualTo(keys);
      assertThat(restarted.log()).doesNotContain(writeKey);
      GalleryClient client = new GalleryClient(restarted, writeKey);
      Map<String, String> snapshot;
      synchronized (acknowledged) {
        snapshot = new LinkedHashMap<>(acknowledged);
      }
      for (Map.Entry<String, String> item : snapshot.entrySet()) {
        HttpResponse<String> response = client.get("/v1/index/" + item.getKey());
        assertThat(response.statusCode())
            .as("acknowledged %s after SIGKILL", item.getKey())
            .isEqualTo(200);
        assertThat(response.body()).contains("\"code\":\"" + item.getValue() + "\"");
      }
      assertThat(client.get("/v1/index").body()).contains("\"bits\":" + BITS);
    }
  }
}
