package dev.pipit.api;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ItemLossException;
import dev.pipit.gallery.ModelRef;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.gallery.ServingModel;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ModelManifest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
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
  private final ActiveModel active;
  private final ModelSwitch switcher;

  ModelsController(ModelsDirectory models, ActiveModel active, ModelSwitch switcher) {
    this.models = models;
    this.active = active;
    this.switcher = switcher;
  }

  @PostMapping("/v1/models/{id}/activate")
  @Operation(
      summary = "Switch the served model (admin)",
      description =
          "Re-encodes the kept gallery originals with the model in the background, then swaps"
              + " atomically; searches keep answering from the current model meanwhile and never"
              + " mix codes of two models. Follow progress at GET /v1/models/activation. 409 while"
              + " another switch runs or if the model already serves. Items without a kept original"
              + " (indexed by code, or past the originals cap) cannot be re-encoded: unless"
              + " acceptLoss=true the switch is refused with 409 and the problem's"
              + " itemsWithoutOriginal count, and a switch that would still lose items fails with"
              + " the old model serving.",
      security = @SecurityRequirement(name = "admin"))
  ResponseEntity<ModelSwitch.Status> activate(
      @PathVariable String id,
      @Parameter(description = "drop the gallery items that have no kept original")
          @RequestParam(defaultValue = "false")
          boolean acceptLoss) {
    ModelSwitch.Status status = switcher.start(directory(id), acceptLoss);
    return ResponseEntity.accepted().location(URI.create("/v1/models/activation")).body(status);
  }

  @ExceptionHandler(ItemLossException.class)
  ProblemDetail itemLoss(ItemLossException e) {
    ProblemDetail problem =
        ApiExceptionHandler.problem(
            HttpStatus.CONFLICT,
            "switch-item-loss",
            "Model switch would drop items",
            e.getMessage());
    problem.setProperty("itemsWithoutOriginal", e.withoutOriginal());
    problem.setProperty("items", e.total());
    return problem;
  }

  @GetMapping("/v1/models/activation")
  @Operation(
      summary = "Progress of the latest model switch",
      description = "404 if no switch was started.")
  ModelSwitch.Status activation() {
    return switcher
        .status()
        .orElseThrow(() -> new dev.pipit.index.UnknownIdException("no model switch was started"));
  }

  @GetMapping("/v1/models")
  @Operation(summary = "List valid model artifacts (sha256-verified)")
  List<ModelInfo> list() throws IOException {
    List<ModelInfo> out = new ArrayList<>();
    if (!Files.isDirectory(models.root())) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(models.root())) {
      for (Path dir :
          dirs.filter(d -> Files.isRegularFile(d.resolve(ModelArtifact.MANIFEST)))
              .sorted()
              .toList()) {
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
    return info(ModelArtifact.open(directory(id)));
  }

  private Path directory(String id) {
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException("model ids are letters, digits, '.', '_' and '-'");
    }
    Path dir = models.root().resolve(id);
    if (!Files.isDirectory(dir)) {
      throw new dev.pipit.index.UnknownIdException("no model has id " + id);
    }
    return dir;
  }

  private ModelInfo info(ModelArtifact artifact) {
    ModelRef ref = active.current().map(ServingModel::ref).orElse(null);
    boolean isActive = ref != null && ref.fingerprint().equals(artifact.fingerprint());
    return new ModelInfo(
        artifact.manifest().name(), isActive, artifact.fingerprint(), artifact.manifest());
  }
}
