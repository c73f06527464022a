package dev.pipit.api;

import dev.pipit.cluster.node.ActivationJob;
import dev.pipit.cluster.node.ActivationJobs;
import dev.pipit.cluster.node.ClusterNode;
import dev.pipit.gallery.ItemLossException;
import dev.pipit.gallery.ModelCatalog;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.gallery.SwitchConflictException;
import dev.pipit.gallery.UnknownModelException;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
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
  private final ActivationJobs jobs;

  ModelsController(
      ModelCatalog catalog,
      ModelSwitch switcher,
      ObjectProvider<ClusterNode> cluster,
      ObjectProvider<ActivationJobs> activations) {
    this.catalog = catalog;
    this.switcher = switcher;
    this.node = cluster.getIfAvailable();
    this.jobs = activations.getIfAvailable();
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
              + " the old model serving. On a cluster node (and through the router) the same"
              + " holds for every shard's items, whose originals are in the database: this node"
              + " re-encodes those that have no code of the model yet (one activation at a time"
              + " in the cluster; another one resumes where a cancelled or failed one stopped),"
              + " then commits one activation, and every node serves the model's codes from its"
              + " sequence on; a node that serves images loads the model's network from its models"
              + " directory in the background (images 503 meanwhile); acceptLoss=true deletes the"
              + " items that would have no code of the model. When nothing is to be re-encoded"
              + " the answer is 200 with the finished job (its sequence applied here), else 202.",
      security = @SecurityRequirement(name = "admin"))
  @ApiResponse(
      responseCode = "202",
      description = "the switch started (standalone: the switch; cluster node: the job)",
      content = @Content(schema = @Schema(oneOf = {ModelSwitch.Status.class, ActivationJob.class})))
  @ApiResponse(
      responseCode = "200",
      description =
          "cluster node, nothing to re-encode: the activation is committed and this node serves"
              + " its codes",
      content = @Content(schema = @Schema(implementation = ActivationJob.class)))
  ResponseEntity<?> activate(
      @PathVariable String id,
      @Parameter(description = "drop the gallery items that have no kept original")
          @RequestParam(defaultValue = "false")
          boolean acceptLoss)
      throws InterruptedException {
    if (jobs != null) {
      return activateInCluster(id, acceptLoss);
    }
    ModelSwitch.Status status = switcher.start(catalog.directory(id), acceptLoss);
    return ResponseEntity.accepted().location(URI.create("/v1/models/activation")).body(status);
  }

  /**
   * Starts an activation job (the artifact verified first). When it had nothing to re-encode it is
   * done already: the answer then waits until this node has applied it, so that a caller reading
   * from it sees the new model.
   */
  private ResponseEntity<ActivationJob> activateInCluster(String id, boolean acceptLoss)
      throws InterruptedException {
    Path dir = catalog.directory(id);
    ModelManifest manifest = ModelArtifact.open(dir).manifest();
    ActivationJob status = jobs.start(dir, manifest.name(), manifest.bits(), acceptLoss);
    if (status.state() == ActivationJob.State.SUCCEEDED) {
      node.awaitApplied(status.sequence());
      return ResponseEntity.ok(status);
    }
    return ResponseEntity.accepted().location(URI.create("/v1/models/activation")).body(status);
  }

  @PostMapping("/v1/models/activation/cancel")
  @Operation(
      summary = "Cancel the running cluster activation (admin)",
      description =
          "Cluster node: stops the activation job running on this node after its current batch"
              + " (202, the job; it ends CANCELLED, nothing activated; the codes written so far"
              + " are kept for the next activation of the model to go on from). 409 when none"
              + " runs here. A standalone switch cannot be cancelled (409).",
      security = @SecurityRequirement(name = "admin"))
  ResponseEntity<ActivationJob> cancel() {
    if (jobs == null) {
      throw new SwitchConflictException("a standalone model switch cannot be cancelled");
    }
    return ResponseEntity.accepted()
        .location(URI.create("/v1/models/activation"))
        .body(jobs.cancel());
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
      description =
          "404 if no switch was started. On a cluster node: the latest activation job started on"
              + " this node (id, model, state, total, reencoded, sequence once written).")
  @ApiResponse(
      responseCode = "200",
      description = "the switch (standalone) or the activation job (cluster node)",
      content = @Content(schema = @Schema(oneOf = {ModelSwitch.Status.class, ActivationJob.class})))
  Object activation() {
    if (jobs != null) {
      return jobs.status()
          .orElseThrow(() -> new UnknownModelException("no activation was started on this node"));
    }
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
