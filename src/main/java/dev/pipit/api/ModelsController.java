package dev.pipit.api;

import dev.pipit.jobs.ModelRef;
import dev.pipit.jobs.ServingModel;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ModelManifest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The model artifacts under the models directory, and which one is serving. */
@RestController
@Tag(name = "models", description = "Model artifacts")
class ModelsController {

  /**
   * A model as listed.
   *
   * @param id its name
   * @param active whether it serves now
   * @param fingerprint identity of its weights
   * @param manifest its manifest
   */
  record ModelInfo(String id, boolean active, String fingerprint, ModelManifest manifest) {}

  private final ModelsDirectory models;
  private final ObjectProvider<ServingModel> serving;

  ModelsController(ModelsDirectory models, ObjectProvider<ServingModel> serving) {
    this.models = models;
    this.serving = serving;
  }

  @GetMapping("/v1/models")
  @Operation(summary = "List valid model artifacts (sha256-verified)")
  List<ModelInfo> list() throws IOException {
    List<ModelInfo> out = new ArrayList<>();
    if (!Files.isDirectory(models.root())) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(models.root())) {
      for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve(ModelArtifact.MANIFEST))).sorted().toList()) {
        try {
          out.add(info(ModelArtifact.open(dir)));
        } catch (ModelArtifactException invalid) {
          // a corrupt or half-written artifact is not a model; GET /v1/models/{id} says why
        }
      }
    }
    return out;
  }

  @GetMapping("/v1/models/{id}")
  @Operation(summary = "One model artifact, verified")
  ModelInfo get(@PathVariable String id) {
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException("model ids are letters, digits, '.', '_' and '-'");
    }
    Path dir = models.root().resolve(id);
    if (!Files.isDirectory(dir)) {
      throw new dev.pipit.index.UnknownIdException("no model has id " + id);
    }
    return info(ModelArtifact.open(dir));
  }

  private ModelInfo info(ModelArtifact artifact) {
    ServingModel active = serving.getIfAvailable();
    ModelRef ref = active == null ? null : active.ref();
    boolean isActive = ref != null && ref.fingerprint().equals(artifact.fingerprint());
    return new ModelInfo(artifact.manifest().name(), isActive, artifact.fingerprint(), artifact.manifest());
  }
}
