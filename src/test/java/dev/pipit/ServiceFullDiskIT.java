package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.jayway.jsonpath.JsonPath;
import dev.pipit.model.Architecture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A really full disk, end to end: the packaged service keeps its data on a 24 MiB tmpfs that a
 * filler file all but fills. Writes then answer 507 problem+json with the disk's reason, {@code
 * /readyz} goes DOWN with it, searches keep answering and never show a refused item, and every
 * acknowledged item stays. Deleting the filler brings readiness back without a restart (the storage
 * indicator probes the disk) and the next write succeeds; after a restart every acknowledged item
 * is there and no refused one.
 *
 * <p>Mounting needs root (CI runs as root). Elsewhere the test is skipped, except under {@code
 * CI=true}, where not being root fails it.
 */
class ServiceFullDiskIT {

  static final int SIDE = 32;
  static final int BITS = 32;

  @TempDir static Path dir;
  static Path mount;

  @BeforeAll
  static void mountTmpfs() throws Exception {
    boolean root = "0".equals(run("id", "-u").trim());
    if (!root) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("ServiceFullDiskIT must run as root in CI: it mounts a tmpfs to fill a real disk");
      }
      Assumptions.abort("not root: cannot mount the small tmpfs this test fills");
    }
    mount = Files.createDirectories(dir.resolve("disk"));
    run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString());
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mount != null) {
      run("umount", "-l", mount.toString());
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  static List<String> args(Path model, Path data) {
    return List.of(
        "--pipit.serving.model=" + model,
        "--pipit.storage.data-dir=" + data,
        "--pipit.engine.device=cpu",
        "--pipit.serving.group-commit-millis=2",
        "--pipit.jobs.admin-token=" + WRITE_KEY);
  }

  /** Headers every write sends (one place, for when writes need credentials). */
  /** The key the writes send (the deprecated admin token: admin implies write). */
  static final String WRITE_KEY = "full-disk-write-key";

  static String[] writeHeaders() {
    return new String[] {"Authorization", "Bearer " + WRITE_KEY};
  }

  static String item(String id, String code, int metadataBytes) {
    return "{\"items\":[{\"id\":\""
        + id
        + "\",\"code\":\""
        + code
        + "\",\"label\":\"filler\",\"metadata\":{\"blob\":\""
        + "x".repeat(metadataBytes)
        + "\"}}]}";
  }

  @Test
  void aFullDiskRefusesWritesKeepsServingAndHealsWithoutARestart() throws Exception {
    Path model = TestModels.writeRandom(dir, "adsh-disk-32", Architecture.ADSH_R50, BITS, SIDE);
    Path data = mount.resolve("data");
    Map<String, String> acknowledged = new LinkedHashMap<>();
    List<String> refused = new ArrayList<>();
    Random random = new Random(5);
    try (ServiceProcess service = ServiceProcess.start(dir, List.of(), args(model, data))) {
      service.awaitReady(Duration.ofMinutes(3));
      Path filler = mount.resolve("filler");
      long free = Files.getFileStore(mount).getUsableSpace();
      try (OutputStream out = Files.newOutputStream(filler)) {
        byte[] block = new byte[1 << 20];
        long left = free - (3L << 20); // leave about 3 MiB for the log
        while (left > 0) {
          int n = (int) Math.min(block.length, left);
          out.write(block, 0, n);
          left -= n;
        }
      }

      String reason = null;
      for (int i = 0; i < 2000 && refused.size() < 3; i++) {
        String id = "item-" + i;
        String code = randomCode(random);
        HttpResponse<String> response =
            service.postJson("/v1/index", item(id, code, 12_000), writeHeaders());
        if (response.statusCode() == 200) {
          assertThat(response.body()).contains("\"indexed\":1");
          acknowledged.put(id, code);
        } else {
          assertThat(response.statusCode()).as(response.body()).isEqualTo(507);
          assertThat(response.headers().firstValue("Content-Type").orElse(""))
              .startsWith("application/problem+json");
          reason = JsonPath.read(response.body(), "$.reason");
          refused.add(id);
        }
      }
      assertThat(refused).as("the disk never filled").hasSize(3);
      assertThat(reason).isEqualTo("No space left on device");
      assertThat(acknowledged).hasSizeGreaterThan(10);

      HttpResponse<String> ready = service.get("/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("No space left on device");
      assertEveryAcknowledgedAndNoRefused(service, acknowledged, refused);
      HttpResponse<String> search =
          service.postJson("/v1/search", "{\"code\":\"" + randomCode(random) + "\",\"k\":1000}");
      assertThat(search.statusCode()).isEqualTo(200);
      List<String> found = JsonPath.read(search.body(), "$.results[*].id");
      assertThat(found).hasSize(acknowledged.size()).doesNotContainAnyElementsOf(refused);

      long freed = System.nanoTime();
      Files.delete(filler);
      service.awaitReady(Duration.ofSeconds(30));
      long tookMillis = (System.nanoTime() - freed) / 1_000_000;
      System.out.println("time from freed space to ready: " + tookMillis + " ms");
      String code = randomCode(random);
      HttpResponse<String> after =
          service.postJson("/v1/index", item("after", code, 100), writeHeaders());
      assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
      acknowledged.put("after", code);
      assertThat(service.get("/readyz").statusCode()).isEqualTo(200);
    }

    try (ServiceProcess restarted = ServiceProcess.start(dir, List.of(), args(model, data))) {
      restarted.awaitReady(Duration.ofMinutes(3));
      assertEveryAcknowledgedAndNoRefused(restarted, acknowledged, refused);
      assertThat((Integer) JsonPath.read(restarted.get("/v1/index").body(), "$.size"))
          .isEqualTo(acknowledged.size());
    }
  }

  private static void assertEveryAcknowledgedAndNoRefused(
      ServiceProcess service, Map<String, String> acknowledged, List<String> refused)
      throws Exception {
    for (Map.Entry<String, String> item : acknowledged.entrySet()) {
      HttpResponse<String> response = service.get("/v1/index/" + item.getKey());
      assertThat(response.statusCode()).as("acknowledged %s", item.getKey()).isEqualTo(200);
      assertThat(response.body()).contains("\"code\":\"" + item.getValue() + "\"");
    }
    for (String id : refused) {
      assertThat(service.get("/v1/index/" + id).statusCode()).as("refused %s", id).isEqualTo(404);
    }
  }

  private static String randomCode(Random random) {
    byte[] raw = new byte[BITS / 8];
    random.nextBytes(raw);
    return HexFormat.of().formatHex(raw);
  }
}
