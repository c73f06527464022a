package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.pipit.AckLedger.State;
import dev.pipit.model.Architecture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGKILL during a model switch ({@code POST /v1/models/{id}/activate}): the gallery is being
 * re-encoded while writes go on, and the service is killed early in the re-encoding, late in it,
 * and as the switch finishes (catch-up, snapshot, record, retirement of the old index). After each
 * restart the service serves one model with one consistent gallery: the old model with its full
 * gallery or the new one fully switched, every item's code of the served model's length and
 * re-found at distance 0 by its own image, every acknowledged write present. A last switch then
 * runs to completion on the crash-scarred data directory and carries every item over.
 */
class ModelSwitchCrashIT {

  private static final Logger log = LoggerFactory.getLogger(ModelSwitchCrashIT.class);
  static final int SIDE = 32;
  static final int GALLERY = 80;
  static final Map<String, Integer> BITS = Map.of("switch-a", 32, "switch-b", 16);

  @TempDir Path dir;

  final AckLedger ledger = new AckLedger();
  final Map<String, byte[]> images = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  List<String> args(Path model) {
    return List.of(
        "--pipit.serving.model=" + model,
        "--pipit.storage.data-dir=" + dir.resolve("data"),
        "--pipit.storage.models-dir=" + dir.resolve("models"),
        "--pipit.engine.device=cpu",
        "--pipit.serving.group-commit-millis=5",
        GalleryClient.adminTokenArg());
  }

  @Test
  void aKilledSwitchLeavesOneModelWithItsWholeGallery() throws Exception {
    Path models = dir.resolve("models");
    Path first =
        TestModels.writeRandom(
            models, "switch-a", Architecture.ADSH_R50, BITS.get("switch-a"), SIDE);
    TestModels.writeRandom(models, "switch-b", Architecture.ADSH_R50, BITS.get("switch-b"), SIDE);
    Random random = new Random(5);
    ServiceProcess service = ServiceProcess.start(dir, List.of(), args(first));
    try {
      service.awaitReady(Duration.ofMinutes(3));
      GalleryClient client = new GalleryClient(service);
      indexGallery(client, random);
      String serving = "switch-a";
      // kill points, as the fraction of the gallery re-encoded: early, late, at the end
      double[] killAt = {0.1 + 0.3 * random.nextDouble(), 0.5 + 0.3 * random.nextDouble(), 1.0};
      for (int cycle = 0; cycle < killAt.length; cycle++) {
        String target = other(serving);
        String reached = switchUntilKilled(service, target, killAt[cycle], random);
        service = ServiceProcess.start(dir, List.of(), args(first));
        service.awaitReady(Duration.ofMinutes(3));
        client = new GalleryClient(service);
        assertThat(failures).as("writer checks").isEmpty();
        serving = verifyConsistent(client, serving, target, random);
        log.info("cycle {}: killed at {}; serving {} after restart", cycle, reached, serving);
      }
      // Deleting and re-indexing items releases their originals while the switch runs: the
      // catch-up carries them over, so nothing counts as lost and the switch needs no acceptLoss.
      String target = other(serving);
      HttpResponse<String> accepted = client.post("/v1/models/" + target + "/activate");
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      AtomicBoolean stop = new AtomicBoolean();
      GalleryClient writing = client;
      long seed = random.nextLong();
      Thread writer =
          Thread.ofVirtual().start(() -> writeDuringSwitch(writing, new Random(seed), stop));
      String status = awaitSwitch(client);
      stop.set(true);
      writer.join(Duration.ofSeconds(60));
      assertThat(failures).as("writer checks").isEmpty();
      assertThat((String) JsonPath.read(status, "$.state")).as(status).isEqualTo("SUCCEEDED");
      assertThat((Integer) JsonPath.read(status, "$.withoutOriginal")).isZero();
      assertThat((Integer) JsonPath.read(status, "$.failed")).isZero();
      assertThat(verifyConsistent(client, target, target, random)).isEqualTo(target);
    } finally {
      service.close();
    }
  }

  static String other(String model) {
    return model.equals("switch-a") ? "switch-b" : "switch-a";
  }

  void indexGallery(GalleryClient client, Random random) throws Exception {
    for (int start = 0; start < GALLERY; start += 20) {
      Multipart form = new Multipart();
      StringBuilder items = new StringBuilder("{\"items\":[");
      List<String> ids = new ArrayList<>();
      for (int i = start; i < start + 20; i++) {
        String id = "g-" + i;
        byte[] image = WriteCrashIT.png(random);
        images.put(id, image);
        ids.add(id);
        form.file("image", id + ".png", "image/png", image);
        items.append(i > start ? "," : "").append("{\"id\":\"" + id + "\",\"label\":\"g\"}");
      }
      form.json("items", items.append("]}").toString());
      HttpResponse<String> response = client.post("/v1/index", form);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat((Integer) JsonPath.read(response.body(), "$.indexed")).isEqualTo(20);
      for (String id : ids) {
        ledger.acknowledge(id, new State(null, "g", WriteCrashIT.sha256(images.get(id))));
      }
    }
  }

  /**
   * Starts a switch to {@code target} with a writer indexing and deleting images meanwhile, and
   * kills the service once {@code fraction} of the gallery is re-encoded (1.0: as soon as the
   * re-encoding is done or the switch has ended). Returns where the switch was.
   */
  String switchUntilKilled(ServiceProcess service, String target, double fraction, Random random)
      throws Exception {
    GalleryClient client = new GalleryClient(service);
    HttpResponse<String> accepted = client.post("/v1/models/" + target + "/activate");
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    AtomicBoolean killed = new AtomicBoolean();
    long seed = random.nextLong();
    Thread writer =
        Thread.ofVirtual()
            .start(() -> writeDuringSwitch(client, new Random(seed), new AtomicBoolean()));
    String status = "";
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!killed.get() && System.nanoTime() < deadline) {
      status = client.get("/v1/models/activation").body();
      int total = JsonPath.read(status, "$.total");
      int reencoded = JsonPath.read(status, "$.reencoded");
      boolean running = JsonPath.read(status, "$.state").equals("RUNNING");
      if (!running || reencoded >= fraction * total) {
        killed.set(true);
      } else {
        Thread.sleep(5);
      }
    }
    service.kill();
    writer.join(Duration.ofSeconds(60));
    assertThat(killed).as("switch progress: " + status).isTrue();
    return status;
  }

  /**
   * Indexes new images ({@code d-…}) and deletes gallery items until {@code stop} or the service is
   * killed.
   */
  void writeDuringSwitch(GalleryClient client, Random random, AtomicBoolean stop) {
    for (int n = 0; !stop.get(); n++) {
      String id;
      try {
        if (random.nextInt(3) == 0) {
          id = "g-" + random.nextInt(GALLERY);
          ledger.attempt(id, State.ABSENT);
          int code = client.delete("/v1/index/" + id).statusCode();
          if (code == 204 || code == 404) {
            ledger.acknowledge(id, State.ABSENT);
          }
          continue;
        }
        id = "d-" + random.nextInt(40);
        byte[] image = WriteCrashIT.png(random);
        State state = new State(null, "d" + n, WriteCrashIT.sha256(image));
        ledger.attempt(id, state);
        HttpResponse<String> response =
            client.post(
                "/v1/index",
                new Multipart()
                    .file("image", id + ".png", "image/png", image)
                    .json(
                        "items",
                        "{\"items\":[{\"id\":\""
                            + id
                            + "\",\"label\":\""
                            + state.label()
                            + "\"}]}"));
        if (response.statusCode() == 200 && response.body().contains("\"indexed\":1")) {
          images.put(id + "#" + state.image(), image);
          ledger.acknowledge(id, state);
        } else if (response.statusCode() < 500) {
          failures.add(id + ": " + response.statusCode() + " " + response.body());
        }
      } catch (Exception killedMeanwhile) {
        return;
      }
    }
  }

  /**
   * Checks that one model serves, {@code before} or {@code target}, with every acknowledged write,
   * each item's code of its length, and a few items found again at distance 0 by their own image
   * (their codes are the served model's, not left over from the other). Returns the served model.
   */
  String verifyConsistent(GalleryClient client, String before, String target, Random random)
      throws Exception {
    HttpResponse<String> index = client.get("/v1/index");
    String served = JsonPath.read(index.body(), "$.model.id");
    assertThat(served).isIn(before, target);
    int bits = BITS.get(served);
    assertThat((Integer) JsonPath.read(index.body(), "$.bits")).isEqualTo(bits);
    Map<String, State> found = ledger.verify(client);
    List<String> present = new ArrayList<>();
    for (Map.Entry<String, State> item : found.entrySet()) {
      if (item.getValue().present()) {
        present.add(item.getKey());
        assertThat(item.getValue().code()).as(item.getKey()).hasSize(bits / 4);
      }
    }
    assertThat((Integer) JsonPath.read(index.body(), "$.size")).isEqualTo(present.size());
    for (int i = 0; i < 3 && !present.isEmpty(); i++) {
      String id = present.get(random.nextInt(present.size()));
      State state = found.get(id);
      byte[] image = id.startsWith("g-") ? images.get(id) : images.get(id + "#" + state.image());
      HttpResponse<String> search =
          client.post("/v1/search?k=1", new Multipart().file("image", "q.png", "image/png", image));
      assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
      assertThat((String) JsonPath.read(search.body(), "$.model.id")).isEqualTo(served);
      assertThat((Integer) JsonPath.read(search.body(), "$.results[0].distance"))
          .as("%s searched by its own image under %s", id, served)
          .isZero();
    }
    return served;
  }

  static String awaitSwitch(GalleryClient client) throws Exception {
    String status = "";
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      status = client.get("/v1/models/activation").body();
      if (!JsonPath.read(status, "$.state").equals("RUNNING")) {
        return status;
      }
      Thread.sleep(50);
    }
    return status;
  }
}
