package dev.pipit.api;

import dev.pipit.cluster.node.ClusterNode;
import dev.pipit.gallery.ItemLossException;
import dev.pipit.gallery.ModelCatalog;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.gallery.SwitchConflictException;
import dev.pipit.gallery.UnknownModelException;
import dev.pipit.model.ModelArtifact;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The model artifacts under the models directory, which one is serving, and switching it. */
@RestController
@Tag(name = "models", description = "Model artifacts")
class ModelsController {

  private final ModelCatalog catalog;
  private final ModelSwitch switcher;
  private final ClusterNode node;

  ModelsController(
      ModelCatalog catalog, ModelSwitch switcher, ObjectProvider<ClusterNode> cluster) {
    this.catalog = catalog;
    this.switcher = switcher;
    this.node = cluster.getIfAvailable();
  }

  /**
   * A cluster node's answer to an activation: from {@code sequence} on every node serves {@code
   * model}.
   */
  record ClusterActivation(String model, long sequence) {}

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
              + " the old model serving. On a cluster node (and through the router) the switch"
              + " goes through the database instead: the model's codes must have been written"
              + " (by code, under its name); one activation is committed and every node serves"
              + " the model's codes from its sequence on; a node that serves images loads the"
              + " model's network from its models directory in the background (images 503"
              + " meanwhile). The answer (200) carries the model and the activation's sequence,"
              + " once this node serves its codes.",
      security = @SecurityRequirement(name = "admin"))
  @ApiResponse(
      responseCode = "202",
      description = "standalone: the switch started",
      content = @Content(schema = @Schema(implementation = ModelSwitch.Status.class)))
  @ApiResponse(
      responseCode = "200",
      description = "cluster node: the activation is committed and this node serves its codes",
      content = @Content(schema = @Schema(implementation = ClusterActivation.class)))
  ResponseEntity<?> activate(
      @PathVariable String id,
      @Parameter(description = "drop the gallery items that have no kept original")
          @RequestParam(defaultValue = "false")
          boolean acceptLoss)
      throws InterruptedException {
    if (node != null) {
      return ResponseEntity.ok(activateInCluster(id));
    }
    ModelSwitch.Status status = switcher.start(catalog.directory(id), acceptLoss);
    return ResponseEntity.accepted().location(URI.create("/v1/models/activation")).body(status);
  }

  /**
   * Commits one activation for every shard (the artifact verified first), then waits until this
   * node has applied it, so that a caller reading from it sees the new model.
   */
  private ClusterActivation activateInCluster(String id) throws InterruptedException {
    String model = ModelArtifact.open(catalog.directory(id)).manifest().name();
    if (model.equals(node.replica().served().modelId())) {
      throw new SwitchConflictException("model " + model + " is already serving");
    }
    long sequence = node.store().activate(model);
    node.awaitApplied(sequence);
    return new ClusterActivation(model, sequence);
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
        .orElseThrow(() -> new UnknownModelException("no model switch was started"));
  }

  @GetMapping("/v1/models")
  @Operation(summary = "List valid model artifacts (sha256-verified)")
  List<ModelCatalog.ModelInfo> list() throws IOException {
    return catalog.list();
  }

  @GetMapping("/v1/models/{id}")
  @Operation(summary = "One model artifact, verified")
  ModelCatalog.ModelInfo get(@PathVariable String id) {
    return catalog.get(id);
  }
}
