package dev.pipit.api;

import static dev.pipit.api.SearchControllerTests.problem;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.gallery.ModelCatalog;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.gallery.SwitchConflictException;
import dev.pipit.gallery.UnknownModelException;
import dev.pipit.model.ModelArtifactException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

@AutoConfigureMockMvc(addFilters = false)
@WebMvcTest(ModelsController.class)
class ModelsControllerTests {

  @Autowired MockMvc mvc;
  @MockitoBean ModelCatalog catalog;
  @MockitoBean ModelSwitch switcher;

  @Test
  void modelsAreListedAndReadOne() throws Exception {
    when(catalog.list())
        .thenReturn(
            List.of(
                new ModelCatalog.ModelInfo("a", true, "fp-a", null),
                new ModelCatalog.ModelInfo("b", false, "fp-b", null)));
    when(catalog.get("b")).thenReturn(new ModelCatalog.ModelInfo("b", false, "fp-b", null));
    mvc.perform(get("/v1/models"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$[0].id").value("a"))
        .andExpect(jsonPath("$[0].active").value(true))
        .andExpect(jsonPath("$[1].fingerprint").value("fp-b"));
    mvc.perform(get("/v1/models/b"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.id").value("b"))
        .andExpect(jsonPath("$.active").value(false));
  }

  @Test
  void unknownInvalidAndCorruptModelsAreProblems() throws Exception {
    when(catalog.get("nope")).thenThrow(new UnknownModelException("no model has id nope"));
    when(catalog.get("..x"))
        .thenThrow(new IllegalArgumentException("model ids are letters, digits, '.', '_' and '-'"));
    when(catalog.get("broken")).thenThrow(new ModelArtifactException("sha256 mismatch"));
    problem(mvc.perform(get("/v1/models/nope")), 404, "unknown-model")
        .andExpect(jsonPath("$.detail").value("no model has id nope"));
    problem(mvc.perform(get("/v1/models/..x")), 400, "invalid-argument");
    problem(mvc.perform(get("/v1/models/broken")), 409, "invalid-model");
  }

  @Test
  void activatingStartsASwitchAndPointsAtItsProgress() throws Exception {
    Path dir = Path.of("models", "b");
    ModelSwitch.Status running =
        new ModelSwitch.Status(
            "b", ModelSwitch.State.RUNNING, 10, 0, 0, 0, Instant.EPOCH, null, null);
    when(catalog.directory("b")).thenReturn(dir);
    when(switcher.start(dir, false)).thenReturn(running);
    when(switcher.status()).thenReturn(Optional.of(running));
    mvc.perform(post("/v1/models/b/activate"))
        .andExpect(status().isAccepted())
        .andExpect(header().string("Location", "/v1/models/activation"))
        .andExpect(jsonPath("$.model").value("b"))
        .andExpect(jsonPath("$.total").value(10));
    mvc.perform(get("/v1/models/activation"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model").value("b"));
  }

  @Test
  void activationProblems() throws Exception {
    when(switcher.status()).thenReturn(Optional.empty());
    problem(mvc.perform(get("/v1/models/activation")), 404, "unknown-model");
    when(catalog.directory("nope")).thenThrow(new UnknownModelException("no model has id nope"));
    problem(mvc.perform(post("/v1/models/nope/activate")), 404, "unknown-model");
    verify(switcher, never()).start(any(), anyBoolean());
    when(catalog.directory("a")).thenReturn(Path.of("models", "a"));
    when(switcher.start(any(), anyBoolean()))
        .thenThrow(new SwitchConflictException("a already serves"));
    problem(mvc.perform(post("/v1/models/a/activate")), 409, "switch-conflict");
  }
}
