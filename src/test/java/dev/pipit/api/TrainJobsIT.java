package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

/** A training job over HTTP: admin token, allowed roots, a real run to a registered model. */
@SpringBootTest
@AutoConfigureMockMvc
class TrainJobsIT {

  static final String TOKEN = "test-admin-token";

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.jobs.admin-token", () -> TOKEN);
    registry.add("pipit.jobs.allowed-roots", () -> "/usr/share/datasets");
    registry.add("pipit.engine.device", () -> "cpu");
  }

  static String request(String name, String root) {
    return """
    {"name": "%s", "method": "adsh-r50", "bits": 16, "dataset": "fashion-mnist", "root": "%s",
     "trainPerClass": 12, "testPerClass": 4, "outerIterations": 2, "innerEpochs": 1, "samples": 60,
     "inputSize": 32}
    """
        .formatted(name, root);
  }

  @Test
  void adminEndpointsNeedTheTokenAndDatasetsMustLieUnderAllowedRoots() throws Exception {
    String body = request("job-model", "/usr/share/datasets/fashion-mnist");
    mvc.perform(post("/v1/train-jobs").contentType(MediaType.APPLICATION_JSON).content(body))
        .andExpect(status().isUnauthorized())
        .andExpect(header().string("Content-Type", startsWith("application/problem+json")));
    mvc.perform(
            post("/v1/train-jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body)
                .header("Authorization", "Bearer wrong"))
        .andExpect(status().isForbidden());
    mvc.perform(
            post("/v1/train-jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .content(request("escape", "/etc"))
                .header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isForbidden())
        .andExpect(
            jsonPath("$.type").value(startsWith("https://pipit.dev/problems/path-not-allowed")));
    String fashion = request("backbone", "/usr/share/datasets/fashion-mnist");
    mvc.perform(
            post("/v1/train-jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    fashion.replace("\"bits\"", "\"backboneWeights\": \"/etc/hostname\", \"bits\""))
                .header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isForbidden())
        .andExpect(jsonPath("$.detail").value(startsWith("backbone weights /etc/hostname")));
    mvc.perform(
            post("/v1/train-jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    fashion.replace(
                        "\"bits\"",
                        "\"backboneWeights\":"
                            + " \"/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz\","
                            + " \"bits\""))
                .header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value(containsString("not a torchvision ResNet-50")));
    mvc.perform(
            post("/v1/train-jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .content(request("../evil", "/usr/share/datasets/fashion-mnist"))
                .header("Authorization", "Bearer " + TOKEN))
        .andExpect(status().isBadRequest());
    mvc.perform(get("/v1/train-jobs/nope")).andExpect(status().isNotFound());
  }

  @Test
  void aJobTrainsToCompletionAndRegistersItsModel() throws Exception {
    MvcResult accepted =
        mvc.perform(
                post("/v1/train-jobs")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content(request("job-model", "/usr/share/datasets/fashion-mnist"))
                    .header("Authorization", "Bearer " + TOKEN))
            .andExpect(status().isAccepted())
            .andExpect(header().string("Location", startsWith("/v1/train-jobs/")))
            .andReturn();
    String location = accepted.getResponse().getHeader("Location");

    String state = "";
    for (int i = 0; i < 600 && !state.equals("SUCCEEDED") && !state.equals("FAILED"); i++) {
      Thread.sleep(250);
      String json = mvc.perform(get(location)).andReturn().getResponse().getContentAsString();
      state = json.replaceAll(".*\"state\":\"([A-Z]+)\".*", "$1");
    }
    assertThat(state).isEqualTo("SUCCEEDED");
    mvc.perform(get(location))
        .andExpect(jsonPath("$.progress").value(1.0))
        .andExpect(jsonPath("$.iterations.length()").value(2))
        .andExpect(jsonPath("$.iterations[1].map").isNumber())
        .andExpect(jsonPath("$.model").value("job-model"));
    mvc.perform(get("/v1/models"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$[0].id").value("job-model"))
        .andExpect(jsonPath("$[0].manifest.architecture").value("adsh-r50"))
        .andExpect(jsonPath("$[0].active").value(false));
    mvc.perform(get("/v1/models/job-model")).andExpect(jsonPath("$.manifest.bits").value(16));
    mvc.perform(get("/v1/models/absent")).andExpect(status().isNotFound());
    mvc.perform(get("/v1/train-jobs")).andExpect(jsonPath("$[0].state").value("SUCCEEDED"));
  }
}
