package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.pipit.AckLedger.State;
import dev.pipit.model.Architecture;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * all while the index snapshots itself every 16 records. Each kill comes after a random delay, at
 * the moment a snapshot's temporary file appears (a 20,000-item gallery makes a snapshot take long
 * enough to be seen), so kills land in snapshots being written. Several kill cycles on one data
 * directory; after each restart every acknowledged write is there, writes in flight at the kill are
 * there whole or not at all, no kept original is left that no item refers to, and the damaged
 * snapshot directory did not stop the start.
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

  /**
   * Items indexed once before the first kill, so that each snapshot takes long enough (tens of ms)
   * for the test to see its temporary file and kill the service in the middle of writing it.
   */
  static final int BULK = 20_000;

  @TempDir Path dir;

  final AckLedger ledger = new AckLedger();

  /** What writer threads found wrong, reported by the test thread. */
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  List<String> args(Path model, Path data, int snapshotEveryRecords) {
    return List.of(
        "--pipit.serving.model=" + model,
        "--pipit.storage.data-dir=" + data,
        "--pipit.engine.device=cpu",
        "--pipit.serving.group-commit-millis=5",
        "--pipit.storage.snapshot-every-records=" + snapshotEveryRecords,
        GalleryClient.adminTokenArg());
  }

  @Test
  void everyAcknowledgedWriteSurvivesSigkillInEveryCycle() throws Exception {
    Path model = TestModels.writeRandom(dir, "crash-32", Architecture.ADSH_R50, BITS, SIDE);
    Path data = dir.resolve("data");
    Random random = new Random(23);
    // the bulk goes in without frequent snapshots (each would copy the growing index), and the
    // service is killed right after it: the first restart recovers it from the log alone
    ServiceProcess service = ServiceProcess.start(dir, List.of(), args(model, data, 0));
    Map<String, String> bulk;
    try {
      service.awaitReady(Duration.ofMinutes(3));
      bulk = indexBulk(new GalleryClient(service), random);
    } finally {
      service.kill();
    }
    service = ServiceProcess.start(dir, List.of(), args(model, data, 16));
    try {
      service.awaitReady(Duration.ofMinutes(3));
      int midSnapshot = 0;
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        long millis = 1000 + random.nextInt(1500);
        long snapshots = writeUntilKilled(service, data, cycle, millis);
        List<Path> partial = partial(data);
        log.info(
            "cycle {}: killed after {} ms, {} snapshots written; left partly written: {}",
            cycle,
            millis,
            snapshots,
            partial);
        assertThat(snapshots).as("snapshots before the kill").isPositive();
        midSnapshot += partial.isEmpty() ? 0 : 1;
        service = ServiceProcess.start(dir, List.of(), args(model, data, 16));
        service.awaitReady(Duration.ofMinutes(3));
        assertThat(failures).as("writer checks").isEmpty();
        verify(new GalleryClient(service), data, bulk, random);
        log.info(
            "cycle {}: {} ids checked, {} present",
            cycle,
            ledger.ids().size(),
            ledger.acknowledgedPresent());
      }
      assertThat(ledger.acknowledgedPresent()).isGreaterThan(20);
      assertThat(midSnapshot).as("kills that landed in a snapshot being written").isPositive();
    } finally {
      service.close();
    }
  }

  /**
   * Indexes {@link #BULK} items by code, 250 a request, all at once (a request's items are made
   * durable one after the other; concurrent requests share group commits). Returns their codes by
   * id.
   */
  static Map<String, String> indexBulk(GalleryClient client, Random random) throws Exception {
    Map<String, String> codes = new LinkedHashMap<>();
    List<Future<HttpResponse<String>>> calls = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int start = 0; start < BULK; start += 250) {
        StringBuilder items = new StringBuilder("{\"items\":[");
        for (int i = start; i < start + 250; i++) {
          byte[] raw = new byte[BITS / 8];
          random.nextBytes(raw);
          String code = HexFormat.of().formatHex(raw);
          codes.put("bulk-" + i, code);
          items.append(i > start ? "," : "");
          items.append("{\"id\":\"bulk-" + i + "\",\"code\":\"" + code + "\",\"label\":\"b\"}");
        }
        String json = items.append("]}").toString();
        calls.add(clients.submit(() -> client.postJson("/v1/index", json)));
      }
      for (Future<HttpResponse<String>> call : calls) {
        HttpResponse<String> response = call.get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"indexed\":250");
      }
    }
    return codes;
  }

  /**
   * Runs the writers for {@code millis}, then kills the service as soon as a snapshot is being
   * written (its temporary file exists; at most 3 s more), and returns its snapshot count.
   */
  long writeUntilKilled(ServiceProcess service, Path data, int cycle, long millis)
      throws Exception {
    GalleryClient client = new GalleryClient(service);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < CODE_WRITERS; w++) {
      Random codes = new Random(cycle * 100L + w);
      String prefix = "c" + w + "-";
      writers.add(Thread.ofVirtual().start(() -> writeCodes(client, prefix, codes)));
    }
    writers.add(Thread.ofVirtual().start(() -> writeImages(client, new Random(cycle))));
    Thread.sleep(millis);
    long snapshots;
    try {
      snapshots =
          ((Number) JsonPath.read(client.get("/v1/index").body(), "$.stats.maintenance.snapshots"))
              .longValue();
    } catch (HttpTimeoutException hung) {
      Files.writeString(Path.of("target", "write-crash-hang.txt"), service.threadDump());
      Files.writeString(Path.of("target", "write-crash-hang.log"), service.log());
      throw new AssertionError("GET /v1/index hung; threads in target/write-crash-hang.txt", hung);
    }
    Path index = data.resolve("index").resolve("crash-32");
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < deadline && !snapshotInProgress(index)) {
      Thread.onSpinWait();
    }
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
  void verify(GalleryClient client, Path data, Map<String, String> bulk, Random random)
      throws Exception {
    Map<String, State> found = ledger.verify(client);
    List<String> bulkIds = List.copyOf(bulk.keySet());
    for (int i = 0; i < 100; i++) {
      String id = bulkIds.get(random.nextInt(bulkIds.size()));
      assertThat(AckLedger.read(client, id)).isEqualTo(new State(bulk.get(id), "b", null));
    }
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
    assertThat((Integer) JsonPath.read(index.body(), "$.size")).isEqualTo((int) present + BULK);
    assertThat((Integer) JsonPath.read(index.body(), "$.bits")).isEqualTo(BITS);
    assertThat(partial(data))
        .as("partly written snapshots and originals, removed at start")
        .isEmpty();
    try (Stream<Path> files = Files.list(data.resolve("index").resolve("crash-32"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("snapshots left by the killed service")
          .anyMatch(name -> name.startsWith("snapshot-") && name.endsWith(".bin"));
    }
  }

  static boolean snapshotInProgress(Path index) {
    try (Stream<Path> files = Files.list(index)) {
      return files.anyMatch(p -> p.getFileName().toString().endsWith(".bin.tmp"));
    } catch (Exception listingRacedARename) {
      return false;
    }
  }

  /** Temporary files (snapshots, originals) a writer killed before its rename left behind. */
  static List<Path> partial(Path data) throws Exception {
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
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
    return TestImages.noisePng(random, 24, 24);
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
