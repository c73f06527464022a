package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.pipit.AckLedger.State;
import dev.pipit.model.Architecture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGKILL durability of every kind of gallery write: upserts (the same id written again with
 * another code and label), deletes, image ingest (the item with its kept original and thumbnail),
 * all while the index snapshots itself every few records, so that kills land in snapshots being
 * written. Several kill cycles at random moments on one data directory; after each restart every
 * acknowledged write is there, writes in flight at the kill are there whole or not at all, no kept
 * original is left that no item refers to, and the damaged snapshot directory did not stop the
 * start.
 */
class WriteCrashIT {

  private static final Logger log = LoggerFactory.getLogger(WriteCrashIT.class);
  static final int SIDE = 32;
  static final int BITS = 32;
  static final int CYCLES = 3;
  static final int CODE_WRITERS = 3;
  static final int IDS_PER_WRITER = 25;
  static final int IMAGE_IDS = 12;
  static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  @TempDir Path dir;

  final AckLedger ledger = new AckLedger();

  /** What writer threads found wrong, reported by the test thread. */
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  List<String> args(Path model, Path data) {
    return List.of(
        "--pipit.serving.model=" + model,
        "--pipit.storage.data-dir=" + data,
        "--pipit.engine.device=cpu",
        "--pipit.serving.group-commit-millis=5",
        "--pipit.storage.snapshot-every-records=16",
        GalleryClient.adminTokenArg());
  }

  @Test
  void everyAcknowledgedWriteSurvivesSigkillInEveryCycle() throws Exception {
    Path model = TestModels.writeRandom(dir, "crash-32", Architecture.ADSH_R50, BITS, SIDE);
    Path data = dir.resolve("data");
    Random random = new Random(23);
    ServiceProcess service = ServiceProcess.start(dir, List.of(), args(model, data));
    try {
      service.awaitReady(Duration.ofMinutes(3));
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        long millis = 1200 + random.nextInt(1800);
        long snapshots = writeUntilKilled(service, cycle, millis);
        log.info("cycle {}: killed after {} ms, {} snapshots written", cycle, millis, snapshots);
        assertThat(snapshots).as("snapshots before the kill").isPositive();
        service = ServiceProcess.start(dir, List.of(), args(model, data));
        service.awaitReady(Duration.ofMinutes(3));
        assertThat(failures).as("writer checks").isEmpty();
        verify(new GalleryClient(service), data);
        log.info(
            "cycle {}: {} ids checked, {} present",
            cycle,
            ledger.ids().size(),
            ledger.acknowledgedPresent());
      }
      assertThat(ledger.acknowledgedPresent()).isGreaterThan(20);
    } finally {
      service.close();
    }
  }

  /** Runs the writers for {@code millis}, kills the service, and returns its snapshot count. */
  long writeUntilKilled(ServiceProcess service, int cycle, long millis) throws Exception {
    GalleryClient client = new GalleryClient(service);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < CODE_WRITERS; w++) {
      Random codes = new Random(cycle * 100L + w);
      String prefix = "c" + w + "-";
      writers.add(Thread.ofVirtual().start(() -> writeCodes(client, prefix, codes)));
    }
    writers.add(Thread.ofVirtual().start(() -> writeImages(client, new Random(cycle))));
    Thread.sleep(millis);
    long snapshots =
        ((Number) JsonPath.read(client.get("/v1/index").body(), "$.stats.maintenance.snapshots"))
            .longValue();
    service.kill();
    for (Thread writer : writers) {
      writer.join(Duration.ofSeconds(60));
    }
    return snapshots;
  }

  /** Upserts (new code and label each time) and deletes ids {@code prefix0…}, until killed. */
  void writeCodes(GalleryClient client, String prefix, Random random) {
    for (int n = 0; ; n++) {
      String id = prefix + random.nextInt(IDS_PER_WRITER);
      try {
        if (random.nextInt(10) < 3) {
          delete(client, id);
        } else {
          byte[] raw = new byte[BITS / 8];
          random.nextBytes(raw);
          State state = new State(HexFormat.of().formatHex(raw), "L" + n, null);
          ledger.attempt(id, state);
          HttpResponse<String> response = client.indexCode(id, state.code(), state.label());
          if (response.statusCode() == 200 && response.body().contains("\"indexed\":1")) {
            ledger.acknowledge(id, state);
          } else if (response.statusCode() < 500) {
            failures.add(id + ": " + response.statusCode() + " " + response.body());
            ledger.refused(id, state);
          }
        }
      } catch (Exception killed) {
        return; // the service is gone
      }
    }
  }

  void delete(GalleryClient client, String id) throws Exception {
    ledger.attempt(id, State.ABSENT);
    HttpResponse<String> response = client.delete("/v1/index/" + id);
    if (response.statusCode() == 204 || response.statusCode() == 404) {
      ledger.acknowledge(id, State.ABSENT); // 404: it was not there, and is not
    } else if (response.statusCode() < 500) {
      failures.add("DELETE " + id + ": " + response.statusCode() + " " + response.body());
      ledger.refused(id, State.ABSENT);
    }
  }

  /**
   * Indexes images under ids {@code img-…} (one or two per request; two ids sometimes share one
   * original, which is kept once and counted twice) and deletes some, until killed.
   */
  void writeImages(GalleryClient client, Random random) {
    for (int n = 0; ; n++) {
      try {
        String first = "img-" + random.nextInt(IMAGE_IDS);
        if (random.nextInt(4) == 0) {
          delete(client, first);
          continue;
        }
        String second = "img-" + random.nextInt(IMAGE_IDS);
        List<String> ids = second.equals(first) ? List.of(first) : List.of(first, second);
        boolean shared = random.nextBoolean();
        Multipart form = new Multipart();
        StringBuilder items = new StringBuilder("{\"items\":[");
        List<State> states = new ArrayList<>();
        byte[] image = png(random);
        for (int i = 0; i < ids.size(); i++) {
          if (i > 0 && !shared) {
            image = png(random);
          }
          State state = new State(null, "P" + n + "-" + i, sha256(image));
          states.add(state);
          form.file("image", "i" + i + ".png", "image/png", image);
          items.append(i > 0 ? "," : "");
          items.append("{\"id\":\"" + ids.get(i) + "\",\"label\":\"" + state.label() + "\"}");
        }
        form.json("items", items.append("]}").toString());
        for (int i = 0; i < ids.size(); i++) {
          ledger.attempt(ids.get(i), states.get(i));
        }
        HttpResponse<String> response = client.post("/v1/index", form);
        if (response.statusCode() != 200) {
          if (response.statusCode() < 500) {
            failures.add("images " + ids + ": " + response.statusCode() + " " + response.body());
          }
          continue; // a 5xx from a dying service: in flight
        }
        for (int i = 0; i < ids.size(); i++) {
          String status = JsonPath.read(response.body(), "$.items[" + i + "].status");
          if (status.equals("indexed")) {
            String url = JsonPath.read(response.body(), "$.items[" + i + "].image");
            if (!url.equals("/v1/images/" + states.get(i).image())) {
              failures.add(ids.get(i) + " kept as " + url + ", not " + states.get(i).image());
            }
            ledger.acknowledge(ids.get(i), states.get(i));
          } else {
            failures.add(ids.get(i) + " not indexed: " + response.body());
            ledger.refused(ids.get(i), states.get(i));
          }
        }
      } catch (Exception killed) {
        return;
      }
    }
  }

  /**
   * After a restart: the ledger holds; every present image item serves its original byte for byte
   * and a JPEG thumbnail; the originals directory holds exactly the originals present items refer
   * to; the index snapshotted before the kill and starts from what it left.
   */
  void verify(GalleryClient client, Path data) throws Exception {
    Map<String, State> found = ledger.verify(client);
    Set<String> referenced = new TreeSet<>();
    for (State state : found.values()) {
      if (state.present() && state.image() != null) {
        referenced.add(state.image());
        HttpResponse<byte[]> original = client.getBytes("/v1/images/" + state.image());
        assertThat(original.statusCode()).as("original %s", state.image()).isEqualTo(200);
        assertThat(sha256(original.body())).isEqualTo(state.image());
        HttpResponse<byte[]> thumbnail =
            client.getBytes("/v1/images/" + state.image() + "/thumbnail");
        assertThat(thumbnail.statusCode()).as("thumbnail %s", state.image()).isEqualTo(200);
        assertThat(thumbnail.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(ImageIO.read(new ByteArrayInputStream(thumbnail.body()))).isNotNull();
      }
    }
    assertThat(keptOriginals(data.resolve("originals")))
        .as("originals on disk = originals that present items refer to")
        .isEqualTo(referenced);
    long present = found.values().stream().filter(State::present).count();
    HttpResponse<String> index = client.get("/v1/index");
    assertThat((Integer) JsonPath.read(index.body(), "$.size")).isEqualTo((int) present);
    assertThat((Integer) JsonPath.read(index.body(), "$.bits")).isEqualTo(BITS);
    try (Stream<Path> files = Files.list(data.resolve("index").resolve("crash-32"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("snapshots left by the killed service")
          .anyMatch(name -> name.startsWith("snapshot-") && name.endsWith(".bin"));
    }
  }

  static Set<String> keptOriginals(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root, 2)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> SHA256.matcher(name).matches())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** A small PNG of random pixels: a distinct original every time. */
  static byte[] png(Random random) throws Exception {
    BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 24; y++) {
      for (int x = 0; x < 24; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
