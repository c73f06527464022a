package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.pipit.model.Architecture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service as a real process, driven only over HTTP: real photos indexed, searched and
 * deleted; API keys and roles; a corpus of hostile inputs that each get a precise problem and
 * change nothing; the 429 path; a training job on a tiny dataset to completion, its model activated
 * (gallery re-encoded) and still serving after a restart. (SIGKILL durability: {@link
 * ServiceDurabilityIT}.)
 */
class ServiceEndToEndIT {

  /** The admin key, through the deprecated plain-text pipit.jobs.admin-token. */
  static final String TOKEN = "e2e-admin-token";

  static final String BEARER = "Bearer " + TOKEN;

  /** A write key, configured hashed as docs/security.md says. */
  static final String WRITE_KEY = "pipit_write_e2e-0123456789abcdefghijklmnopqrstuvw";

  static final String WRITER = "Bearer " + WRITE_KEY;

  @TempDir Path dir;

  List<String> args(Path model) {
    return List.of(
        "--pipit.serving.model=" + model,
        "--pipit.storage.data-dir=" + dir.resolve("data"),
        "--pipit.storage.models-dir=" + dir.resolve("models"),
        "--pipit.engine.device=cpu",
        "--pipit.jobs.admin-token=" + TOKEN,
        "--pipit.security.keys[0].name=e2e-writer",
        "--pipit.security.keys[0].hash={sha256}" + sha256Hex(WRITE_KEY),
        "--pipit.security.keys[0].roles=write",
        TinyTrainingJob.allowedRootsArg(),
        TinyTrainingJob.backboneArg(),
        "--pipit.serving.queue-capacity=1",
        "--pipit.serving.max-batch=1",
        "--spring.servlet.multipart.max-file-size=3MB",
        "--spring.servlet.multipart.max-request-size=16MB");
  }

  static String sha256Hex(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException everyJdkHasIt) {
      throw new IllegalStateException(everyJdkHasIt);
    }
  }

  static byte[] photo(String name) throws Exception {
    return Files.readAllBytes(Path.of("models/cache/samples", name));
  }

  @Test
  void theServiceWorksEndToEndOverHttp() throws Exception {
    Path model =
        TestModels.writeImageNet(dir.resolve("models"), "random-64", Architecture.ADSH_R50, 64, 64);
    try (ServiceProcess service = ServiceProcess.start(dir, List.of(), args(model))) {
      service.awaitReady(Duration.ofMinutes(3));
      realPhotosAreIndexedSearchedAndDeleted(service);
      hostileInputGetsAPreciseProblemAndChangesNothing(service);
      aFullQueueAnswers429WithRetryAfter(service);
      String trained = aTrainingJobRunsToCompletion(service);
      activate(service, trained);
    }
    try (ServiceProcess restarted = ServiceProcess.start(dir, List.of(), args(model))) {
      restarted.awaitReady(Duration.ofMinutes(3));
      HttpResponse<String> index = restarted.get("/v1/index");
      assertThat((String) JsonPath.read(index.body(), "$.model.id")).isEqualTo("e2e-job");
      assertThat((Integer) JsonPath.read(index.body(), "$.size")).isEqualTo(3);
      HttpResponse<String> search =
          restarted.post(
              "/v1/search?k=1",
              new Multipart().file("image", "kite.jpg", "image/jpeg", photo("kite.jpg")));
      assertThat((String) JsonPath.read(search.body(), "$.results[0].id")).isEqualTo("kite");
      assertThat((Integer) JsonPath.read(search.body(), "$.results[0].distance")).isZero();
    }
  }

  void realPhotosAreIndexedSearchedAndDeleted(ServiceProcess service) throws Exception {
    Multipart form = new Multipart();
    for (String name : List.of("eagle", "dog", "horses", "kite")) {
      form.file("image", name + ".jpg", "image/jpeg", photo(name + ".jpg"));
    }
    form.json(
        "items",
        """
        {"items": [{"id": "eagle", "label": "bird"}, {"id": "dog", "label": "dog"},
                   {"id": "horses", "label": "horse"}, {"id": "kite", "label": "kite"}]}\
        """);
    HttpResponse<String> indexed = service.post("/v1/index", form, "Authorization", WRITER);
    assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(200);
    assertThat((Integer) JsonPath.read(indexed.body(), "$.indexed")).isEqualTo(4);

    for (String name : List.of("eagle", "dog", "horses", "kite")) {
      HttpResponse<String> found =
          service.post(
              "/v1/search?k=3",
              new Multipart().file("image", name + ".jpg", "image/jpeg", photo(name + ".jpg")));
      assertThat(found.statusCode()).isEqualTo(200);
      assertThat((String) JsonPath.read(found.body(), "$.results[0].id")).isEqualTo(name);
      assertThat((Integer) JsonPath.read(found.body(), "$.results[0].distance")).isZero();
      assertThat((String) JsonPath.read(found.body(), "$.model.id")).isEqualTo("random-64");
      String thumbnail = JsonPath.read(found.body(), "$.results[0].thumbnail");
      HttpResponse<String> thumb = service.get(thumbnail);
      assertThat(thumb.statusCode()).isEqualTo(200);
      assertThat(thumb.headers().firstValue("Content-Type")).hasValue("image/jpeg");
    }
    assertThat(service.delete("/v1/index/eagle", "Authorization", WRITER).statusCode())
        .isEqualTo(204);
    assertThat(service.get("/v1/index/eagle").statusCode()).isEqualTo(404);
    HttpResponse<String> after =
        service.post(
            "/v1/search?k=3",
            new Multipart().file("image", "eagle.jpg", "image/jpeg", photo("eagle.jpg")));
    assertThat(after.body()).doesNotContain("\"id\":\"eagle\"");
  }

  void hostileInputGetsAPreciseProblemAndChangesNothing(ServiceProcess service) throws Exception {
    String before = service.get("/v1/index").body();
    Map<String, Callable<HttpResponse<String>>> corpus = new LinkedHashMap<>();
    Map<String, Integer> expected = new LinkedHashMap<>();
    byte[] dog = photo("dog.jpg");
    hostileImage(
        corpus, expected, service, "truncated jpeg", Arrays.copyOf(dog, dog.length / 3), 400);
    hostileImage(
        corpus, expected, service, "png bomb 60000x60000", pngClaiming(60_000, 60_000), 413);
    hostileImage(
        corpus, expected, service, "jpeg bomb 65000x65000", jpegClaiming(dog, 65_000, 65_000), 413);
    hostileImage(
        corpus,
        expected,
        service,
        "text",
        "hello, not an image".getBytes(StandardCharsets.UTF_8),
        415);
    hostileImage(corpus, expected, service, "empty", new byte[0], 400);
    byte[] noise = new byte[5000];
    new Random(3).nextBytes(noise);
    hostileImage(corpus, expected, service, "random bytes", noise, 415);
    byte[] huge = Arrays.copyOf(dog, 3_500_000); // over the 3 MB upload limit
    hostileImage(corpus, expected, service, "oversized upload", huge, 413);
    add(
        corpus,
        expected,
        "wrong content type",
        415,
        () ->
            service.post("/v1/search", "text/plain", HttpRequest.BodyPublishers.ofString("eagle")));
    add(
        corpus,
        expected,
        "malformed json",
        400,
        () -> service.postJson("/v1/search", "{\"code\": "));
    add(
        corpus,
        expected,
        "code of the wrong length",
        400,
        () -> service.postJson("/v1/search", "{\"code\": \"abcd\"}"));
    add(
        corpus,
        expected,
        "k out of range",
        400,
        () -> service.postJson("/v1/search", "{\"code\": \"0000000000000000\", \"k\": 0}"));
    add(
        corpus,
        expected,
        "malformed items part",
        400,
        () ->
            service.post(
                "/v1/index",
                new Multipart()
                    .file("image", "dog.jpg", "image/jpeg", dog)
                    .json("items", "{\"items\": ["),
                "Authorization",
                WRITER));
    add(
        corpus,
        expected,
        "items not matching images",
        400,
        () ->
            service.post(
                "/v1/index",
                new Multipart()
                    .file("image", "dog.jpg", "image/jpeg", dog)
                    .json("items", "{\"items\": []}"),
                "Authorization",
                WRITER));
    add(corpus, expected, "unknown id", 404, () -> service.get("/v1/index/no-such-item"));
    add(
        corpus,
        expected,
        "delete unknown id",
        404,
        () -> service.delete("/v1/index/no-such-item", "Authorization", WRITER));
    add(corpus, expected, "delete without a key", 401, () -> service.delete("/v1/index/dog"));
    add(
        corpus,
        expected,
        "admin path with a ;parameter (firewall)",
        400,
        () ->
            service.postJson(
                "/v1/train-jobs;x",
                job("x", "/usr/share/datasets/fashion-mnist"),
                "Authorization",
                WRITER));
    failedItems.put(
        "oversize id",
        () ->
            service.postJson(
                "/v1/index",
                "{\"items\": [{\"id\": \""
                    + "x".repeat(300)
                    + "\", \"code\": \"0000000000000000\"}]}",
                "Authorization",
                WRITER));
    add(corpus, expected, "unknown model", 404, () -> service.get("/v1/models/no-such-model"));
    add(
        corpus,
        expected,
        "model id escaping the models directory",
        400,
        () ->
            service.post(
                "/v1/models/..etc/activate",
                "application/json",
                HttpRequest.BodyPublishers.noBody(),
                "Authorization",
                BEARER));
    add(corpus, expected, "bad image name", 400, () -> service.get("/v1/images/ETC-PASSWD"));
    add(
        corpus,
        expected,
        "admin without token",
        401,
        () -> service.postJson("/v1/train-jobs", job("x", "/usr/share/datasets/fashion-mnist")));
    add(
        corpus,
        expected,
        "admin with a wrong token",
        403,
        () ->
            service.postJson(
                "/v1/train-jobs",
                job("x", "/usr/share/datasets/fashion-mnist"),
                "Authorization",
                "Bearer wrong"));
    add(
        corpus,
        expected,
        "dataset outside the allowed roots",
        403,
        () -> service.postJson("/v1/train-jobs", job("x", "/etc"), "Authorization", BEARER));
    add(
        corpus,
        expected,
        "dataset escaping an allowed root",
        403,
        () ->
            service.postJson(
                "/v1/train-jobs",
                job("x", "/usr/share/datasets/../../etc"),
                "Authorization",
                BEARER));
    add(corpus, expected, "unknown job", 404, () -> service.get("/v1/train-jobs/no-such-job"));

    for (Map.Entry<String, Callable<HttpResponse<String>>> input : corpus.entrySet()) {
      HttpResponse<String> response = input.getValue().call();
      assertThat(response.statusCode())
          .as(input.getKey() + ": " + response.body())
          .isEqualTo(expected.get(input.getKey()));
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .as(input.getKey())
          .startsWith("application/problem+json");
      assertThat((Integer) JsonPath.read(response.body(), "$.status"))
          .isEqualTo(response.statusCode());
    }
    for (Map.Entry<String, Callable<HttpResponse<String>>> input : failedItems.entrySet()) {
      HttpResponse<String> response = input.getValue().call();
      assertThat(response.statusCode()).as(input.getKey()).isEqualTo(200);
      assertThat((Integer) JsonPath.read(response.body(), "$.failed"))
          .as(input.getKey())
          .isEqualTo(1);
      assertThat((String) JsonPath.read(response.body(), "$.items[0].reason"))
          .as(input.getKey())
          .isNotBlank();
    }
    assertThat((Integer) JsonPath.read(service.get("/v1/index").body(), "$.size"))
        .isEqualTo((Integer) JsonPath.read(before, "$.size"));
    assertThat(service.get("/v1/index/hostile").statusCode()).isEqualTo(404);
    assertThat(service.get("/v1/index/x").statusCode()).isEqualTo(404);
    assertThat(service.get("/v1/train-jobs").body()).isEqualTo("[]");
  }

  void aFullQueueAnswers429WithRetryAfter(ServiceProcess service) throws Exception {
    int ok = 0;
    int tooMany = 0;
    for (HttpResponse<String> response :
        service.searchAtOnce("giraffe.jpg", photo("giraffe.jpg"), 24)) {
      if (response.statusCode() == 200) {
        ok++;
      } else {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
            .startsWith("application/problem+json");
        tooMany++;
      }
    }
    assertThat(ok).isPositive();
    assertThat(tooMany).isPositive();
  }

  String aTrainingJobRunsToCompletion(ServiceProcess service) throws Exception {
    String job =
        service.trainToCompletion(
            job("e2e-job", "/usr/share/datasets/fashion-mnist"), "Authorization", BEARER);
    assertThat((Double) JsonPath.read(job, "$.progress")).isEqualTo(1.0);
    HttpResponse<String> listed = service.get("/v1/models/e2e-job");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat((Boolean) JsonPath.read(listed.body(), "$.active")).isFalse();
    return "e2e-job";
  }

  void activate(ServiceProcess service, String model) throws Exception {
    String status = service.activate(model, "Authorization", BEARER);
    assertThat((Integer) JsonPath.read(status, "$.reencoded")).isEqualTo(3);
    HttpResponse<String> search =
        service.post(
            "/v1/search?k=1",
            new Multipart().file("image", "dog.jpg", "image/jpeg", photo("dog.jpg")));
    assertThat((String) JsonPath.read(search.body(), "$.model.id")).isEqualTo(model);
    assertThat((Integer) JsonPath.read(search.body(), "$.model.bits")).isEqualTo(16);
    assertThat((String) JsonPath.read(search.body(), "$.results[0].id")).isEqualTo("dog");
  }

  static String job(String name, String root) {
    return TinyTrainingJob.json(name, root);
  }

  private static void add(
      Map<String, Callable<HttpResponse<String>>> corpus,
      Map<String, Integer> expected,
      String name,
      int status,
      Callable<HttpResponse<String>> call) {
    corpus.put(name, call);
    expected.put(name, status);
  }

  /**
   * As a search: a problem with {@code status}. As an index item: that item fails with a reason.
   */
  private void hostileImage(
      Map<String, Callable<HttpResponse<String>>> corpus,
      Map<String, Integer> expected,
      ServiceProcess service,
      String name,
      byte[] bytes,
      int status) {
    add(
        corpus,
        expected,
        "search: " + name,
        status,
        () ->
            service.post(
                "/v1/search",
                new Multipart().file("image", "upload.bin", "application/octet-stream", bytes)));
    Callable<HttpResponse<String>> index =
        () ->
            service.post(
                "/v1/index",
                new Multipart()
                    .file("image", "upload.bin", "application/octet-stream", bytes)
                    .json("items", "{\"items\": [{\"id\": \"hostile\"}]}"),
                "Authorization",
                WRITER);
    if (bytes.length > 3_000_000) {
      add(corpus, expected, "index: " + name, 413, index); // refused whole by the upload limit
    } else {
      failedItems.put("index: " + name, index);
    }
  }

  final Map<String, Callable<HttpResponse<String>>> failedItems = new LinkedHashMap<>();

  /** A valid 1×1 PNG whose header claims {@code width × height}. */
  static byte[] pngClaiming(int width, int height) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png", out);
    byte[] png = out.toByteArray();
    ByteBuffer b = ByteBuffer.wrap(png);
    b.putInt(16, width).putInt(20, height); // IHDR data starts at 16
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17); // "IHDR" + 13 data bytes
    b.putInt(29, (int) crc.getValue());
    return png;
  }

  /** {@code jpeg} with its frame header (SOF0/SOF2) claiming {@code width × height}. */
  static byte[] jpegClaiming(byte[] jpeg, int width, int height) {
    byte[] out = jpeg.clone();
    for (int i = 2; i + 9 < out.length; ) {
      int marker = out[i + 1] & 0xff;
      int length = ((out[i + 2] & 0xff) << 8) | (out[i + 3] & 0xff);
      if (marker == 0xC0 || marker == 0xC2) {
        out[i + 5] = (byte) (height >> 8);
        out[i + 6] = (byte) height;
        out[i + 7] = (byte) (width >> 8);
        out[i + 8] = (byte) width;
        return out;
      }
      i += 2 + length;
    }
    throw new IllegalArgumentException("no frame header");
  }
}
