package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.pipit.TestModels;
import dev.pipit.model.Architecture;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import dev.pipit.train.data.DatasetLoader;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The gallery features over HTTP with two real (randomly initialised) models: kept originals and
 * thumbnails, the label filter, batch search, and switching models with a re-encode of the kept
 * originals.
 */
@SpringBootTest
@AutoConfigureMockMvc
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GalleryIT {

  static final int SIDE = 48;
  static final String TOKEN = "gallery-admin-token";

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @BeforeAll
  static void writeModels() throws Exception {
    // the real ImageNet backbone, so that different photos get clearly different codes
    TestModels.writeImageNet(dir.resolve("models"), "first-32", Architecture.ADSH_R50, 32, SIDE);
    TestModels.writeImageNet(dir.resolve("models"), "second-48", Architecture.ADSH_R50, 48, SIDE);
    // verifies (its manifest hashes its files) but cannot load: its weights are not a network
    Path broken = Files.createDirectories(dir.resolve("models/broken-48"));
    Files.write(broken.resolve("weights.params"), "not a network".getBytes());
    ModelManifest second = ModelArtifact.open(dir.resolve("models/second-48")).manifest();
    ModelArtifact.write(
        broken,
        new ModelManifest(
            second.format(),
            "broken-48",
            second.architecture(),
            second.bits(),
            second.input(),
            second.preprocessing(),
            second.classes(),
            second.weights(),
            second.files(),
            second.provenance()));
  }

  /** Waits for the latest model switch to leave RUNNING and returns its status JSON. */
  String awaitSwitch() throws Exception {
    String status = "";
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      status =
          mvc.perform(get("/v1/models/activation")).andReturn().getResponse().getContentAsString();
      if (!"RUNNING".equals(JsonPath.read(status, "$.state"))) {
        return status;
      }
      Thread.sleep(100);
    }
    return status;
  }

  /** Every file under {@code root} with its content, to prove a directory was left untouched. */
  static Map<String, String> contents(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (var files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        out.put(
            root.relativize(file).toString(), HexFormat.of().formatHex(Files.readAllBytes(file)));
      }
    }
    return out;
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.serving.model", () -> dir.resolve("models/first-32").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    registry.add("pipit.jobs.admin-token", () -> TOKEN);
  }

  static byte[] photo(String name) throws Exception {
    return Files.readAllBytes(Path.of("models/cache/samples", name));
  }

  static MockMultipartFile image(String name) throws Exception {
    return new MockMultipartFile("image", name, "image/jpeg", photo(name));
  }

  @Test
  @Order(1)
  void originalsAreKeptWithThumbnailsAndReleasedWithTheirLastItem() throws Exception {
    String body =
        mvc.perform(
                multipart("/v1/index")
                    .header("Authorization", "Bearer " + TOKEN)
                    .file(image("eagle.jpg"))
                    .file(image("eagle.jpg"))
                    .file(image("dog.jpg"))
                    .file(image("horses.jpg"))
                    .file(
                        new MockMultipartFile(
                            "items",
                            "",
                            "application/json",
                            """
                            {"items": [{"id": "eagle", "label": "bird"}, {"id": "eagle-copy", "label": "bird"},
                                       {"id": "dog", "label": "dog"}, {"id": "horses", "label": "horse"}]}
                            """
                                .getBytes())))
            .andExpect(status().isOk())
            .andExpect(jsonPath("$.indexed").value(4))
            .andReturn()
            .getResponse()
            .getContentAsString();
    String eagleImage = JsonPath.read(body, "$.items[0].image");
    assertThat(eagleImage)
        .isEqualTo(JsonPath.read(body, "$.items[1].image")); // content-addressed: one copy

    mvc.perform(get(eagleImage))
        .andExpect(status().isOk())
        .andExpect(content().contentType(MediaType.IMAGE_JPEG))
        .andExpect(content().bytes(photo("eagle.jpg")))
        .andExpect(header().string("Cache-Control", startsWith("max-age=")));
    byte[] thumbnail =
        mvc.perform(get(eagleImage + "/thumbnail"))
            .andExpect(status().isOk())
            .andExpect(content().contentType(MediaType.IMAGE_JPEG))
            .andReturn()
            .getResponse()
            .getContentAsByteArray();
    var decoded = ImageIO.read(new ByteArrayInputStream(thumbnail));
    assertThat(Math.max(decoded.getWidth(), decoded.getHeight())).isEqualTo(160);

    mvc.perform(multipart("/v1/search").file(image("eagle.jpg")).param("k", "1"))
        .andExpect(jsonPath("$.results[0].thumbnail").value(eagleImage + "/thumbnail"));

    mvc.perform(delete("/v1/index/eagle").header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isNoContent());
    mvc.perform(get(eagleImage)).andExpect(status().isOk()); // eagle-copy still refers to it
    mvc.perform(delete("/v1/index/eagle-copy").header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isNoContent());
    mvc.perform(get(eagleImage))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    mvc.perform(get("/v1/images/not-a-hash")).andExpect(status().isBadRequest());
  }

  @Test
  @Order(2)
  void theLabelFilterKeepsOnlyThatLabelAndBatchSearchAnswersEachImage() throws Exception {
    mvc.perform(
            post("/v1/index")
                .header("Authorization", "Bearer " + TOKEN)
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    """
                    {"items": [{"id": "c1", "code": "00000000", "label": "cat"},
                               {"id": "c2", "code": "ffffffff", "label": "cat"},
                               {"id": "d1", "code": "01000000", "label": "dog"}]}\
                    """))
        .andExpect(status().isOk());
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\": \"00000000\", \"k\": 2, \"label\": \"cat\"}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results.length()").value(2))
        .andExpect(jsonPath("$.results[0].id").value("c1"))
        .andExpect(jsonPath("$.results[1].id").value("c2")); // d1 is nearer but not a cat

    mvc.perform(
            multipart("/v1/search/batch")
                .file(image("dog.jpg"))
                .file(image("horses.jpg"))
                .file(
                    new MockMultipartFile("image", "junk.jpg", "image/jpeg", new byte[] {1, 2, 3}))
                .param("k", "1"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.queries.length()").value(3))
        .andExpect(jsonPath("$.queries[0].results[0].id").value("dog"))
        .andExpect(jsonPath("$.queries[0].results[0].distance").value(0))
        .andExpect(jsonPath("$.queries[1].results[0].id").value("horses"))
        .andExpect(jsonPath("$.queries[2].error").isString())
        .andExpect(jsonPath("$.model.id").value("first-32"));
  }

  @Test
  @Order(3)
  void switchingModelsReencodesKeptOriginalsAndLeavesCodeOnlyItemsOut() throws Exception {
    StringBuilder many = new StringBuilder();
    var form = multipart("/v1/index").header("Authorization", "Bearer " + TOKEN);
    for (int i = 0; i < 40; i++) {
      form.file(image(i % 2 == 0 ? "kite.jpg" : "person.jpg"));
      many.append(i == 0 ? "" : ",").append("{\"id\": \"bulk-").append(i).append("\"}");
    }
    mvc.perform(
            form.file(
                new MockMultipartFile(
                    "items", "", "application/json", ("{\"items\": [" + many + "]}").getBytes())))
        .andExpect(jsonPath("$.indexed").value(40));
    mvc.perform(post("/v1/models/second-48/activate")).andExpect(status().isUnauthorized());
    mvc.perform(post("/v1/models/first-32/activate").header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isConflict());
    // c1, c2 and d1 were indexed by code: no original to re-encode, so no switch without consent
    mvc.perform(post("/v1/models/second-48/activate").header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isConflict())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.itemsWithoutOriginal").value(3))
        .andExpect(jsonPath("$.items").value(45));
    mvc.perform(get("/v1/index")).andExpect(jsonPath("$.size").value(45));

    // A switch to a model that fails to load leaves the old model serving, its index untouched.
    Path oldIndex = dir.resolve("data/index/first-32");
    Map<String, String> before = contents(oldIndex);
    mvc.perform(
            post("/v1/models/broken-48/activate")
                .param("acceptLoss", "true")
                .header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isAccepted());
    String failed = awaitSwitch();
    assertThat((String) JsonPath.read(failed, "$.state")).as(failed).isEqualTo("FAILED");
    assertThat((String) JsonPath.read(failed, "$.error")).isNotBlank();
    assertThat(contents(oldIndex)).isEqualTo(before);
    try (var dirs = Files.list(dir.resolve("data/index"))) {
      assertThat(dirs.map(d -> d.getFileName().toString())).containsExactly("first-32");
    }
    assertThat(dir.resolve("data/serving.json")).doesNotExist();
    mvc.perform(multipart("/v1/search").file(image("dog.jpg")).param("k", "1"))
        .andExpect(jsonPath("$.model.id").value("first-32"))
        .andExpect(jsonPath("$.results[0].id").value("dog"));

    mvc.perform(
            post("/v1/models/second-48/activate")
                .param("acceptLoss", "true")
                .header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isAccepted())
        .andExpect(header().string("Location", "/v1/models/activation"))
        .andExpect(jsonPath("$.model").value("second-48"));
    // Writes during the switch: whether they land before or after the swap, the new index must
    // reflect them.
    mvc.perform(
            multipart("/v1/index")
                .header("Authorization", "Bearer " + TOKEN)
                .file(image("scream.jpg"))
                .file(
                    new MockMultipartFile(
                        "items",
                        "",
                        "application/json",
                        "{\"items\": [{\"id\": \"late\", \"label\": \"art\"}]}".getBytes())))
        .andExpect(jsonPath("$.indexed").value(1));
    mvc.perform(delete("/v1/index/bulk-0").header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isNoContent());

    String state = "RUNNING";
    String status = "";
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (state.equals("RUNNING") && System.nanoTime() < deadline) {
      // Searches keep answering meanwhile, from one model or the other, never a mix.
      String search =
          mvc.perform(multipart("/v1/search").file(image("dog.jpg")).param("k", "1"))
              .andExpect(status().isOk())
              .andReturn()
              .getResponse()
              .getContentAsString();
      assertThat(List.of("first-32", "second-48"))
          .contains((String) JsonPath.read(search, "$.model.id"));
      status =
          mvc.perform(get("/v1/models/activation")).andReturn().getResponse().getContentAsString();
      state = JsonPath.read(status, "$.state");
      Thread.sleep(100);
    }
    assertThat(state).as(status).isEqualTo("SUCCEEDED");
    assertThat((Integer) JsonPath.read(status, "$.withoutOriginal")).isEqualTo(3); // c1, c2, d1
    mvc.perform(get("/v1/index/late"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("second-48"))
        .andExpect(jsonPath("$.label").value("art"));
    mvc.perform(get("/v1/index/bulk-0")).andExpect(status().isNotFound());
    mvc.perform(get("/v1/index/bulk-1")).andExpect(status().isOk());

    mvc.perform(multipart("/v1/search").file(image("horses.jpg")).param("k", "1"))
        .andExpect(jsonPath("$.model.id").value("second-48"))
        .andExpect(jsonPath("$.model.bits").value(48))
        .andExpect(jsonPath("$.results[0].id").value("horses"))
        .andExpect(jsonPath("$.results[0].distance").value(0))
        .andExpect(jsonPath("$.results[0].label").value("horse"));
    mvc.perform(get("/v1/index/c1")).andExpect(status().isNotFound());
    // dog, horses, late and bulk-1..39: 42 items, all 48-bit codes of the new model
    mvc.perform(get("/v1/index"))
        .andExpect(jsonPath("$.size").value(42))
        .andExpect(jsonPath("$.bits").value(48));
    mvc.perform(get("/v1/models/second-48")).andExpect(jsonPath("$.active").value(true));
    assertThat(Files.readString(dir.resolve("data/serving.json"))).contains("second-48");
  }

  @Test
  @Order(5)
  void aDiskFaultKeepingOneOriginalFailsThatItemOnly() throws Exception {
    byte[] eagle = photo("eagle.jpg");
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(eagle));
    // a non-empty directory where the original's temporary file must be written
    Path blocker = dir.resolve("data/originals").resolve(sha.substring(0, 2)).resolve(sha + ".tmp");
    Files.createDirectories(blocker.resolve("x"));
    try {
      mvc.perform(
              multipart("/v1/index")
                  .header("Authorization", "Bearer " + TOKEN)
                  .file(image("eagle.jpg"))
                  .file(image("kite.jpg"))
                  .file(
                      new MockMultipartFile(
                          "items",
                          "",
                          "application/json",
                          "{\"items\": [{\"id\": \"faulty\"}, {\"id\": \"fine\"}]}".getBytes())))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.indexed").value(1))
          .andExpect(jsonPath("$.failed").value(1))
          .andExpect(jsonPath("$.items[0].status").value("failed"))
          .andExpect(jsonPath("$.items[0].reason").value(containsString(sha)))
          .andExpect(jsonPath("$.items[1].status").value("indexed"));
      mvc.perform(get("/v1/index/faulty")).andExpect(status().isNotFound());
      mvc.perform(get("/v1/index/fine")).andExpect(status().isOk());
      mvc.perform(get("/v1/images/" + sha)).andExpect(status().isNotFound());
    } finally {
      Files.delete(blocker.resolve("x"));
      Files.delete(blocker);
    }
  }

  @Test
  @Order(4)
  void aTrainingJobCanLearnFromTheGallerysOwnLabelledImages() throws Exception {
    mvc.perform(
            multipart("/v1/index")
                .header("Authorization", "Bearer " + TOKEN)
                .file(image("giraffe.jpg"))
                .file(
                    new MockMultipartFile(
                        "items",
                        "",
                        "application/json",
                        "{\"items\": [{\"id\": \"giraffe\", \"label\": \"dog\"}]}".getBytes())))
        .andExpect(jsonPath("$.indexed").value(1));
    String job =
        mvc.perform(
                post("/v1/train-jobs")
                    .contentType(MediaType.APPLICATION_JSON)
                    .header("Authorization", "Bearer " + TOKEN)
                    .content(
                        """
                        {"name": "from-gallery", "method": "adsh-r50", "bits": 16, "dataset": "gallery",
                         "outerIterations": 1, "innerEpochs": 1, "inputSize": 32}\
                        """))
            .andExpect(status().isAccepted())
            .andExpect(jsonPath("$.request.dataset").value("image-folder"))
            .andReturn()
            .getResponse()
            .getContentAsString();
    Path root = Path.of((String) JsonPath.read(job, "$.request.root"));
    assertThat(root.toString()).contains("datasets").contains("gallery-");
    var dataset = DatasetLoader.load("image-folder", root);
    // labelled items with kept originals: dog and giraffe (dog), horses (horse), late (art);
    // unlabelled bulk
    // items are left out; the two-item label gives its last item (by id) to the test split
    assertThat(dataset.classes()).containsExactly("art", "dog", "horse");
    assertThat(dataset.train().size()).isEqualTo(3);
    assertThat(dataset.test().size()).isEqualTo(1);
    String id = JsonPath.read(job, "$.id");
    mvc.perform(post("/v1/train-jobs/" + id + "/cancel").header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isAccepted());
    // Wait for the job to stop: a job left running would compete with later tests in this JVM.
    String state = "";
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!List.of("CANCELLED", "SUCCEEDED", "FAILED").contains(state)
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
      state =
          JsonPath.read(
              mvc.perform(get("/v1/train-jobs/" + id))
                  .andReturn()
                  .getResponse()
                  .getContentAsString(),
              "$.state");
    }
    assertThat(state).isIn("CANCELLED", "SUCCEEDED", "FAILED");
  }
}
