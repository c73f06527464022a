package dev.pipit.gallery;

import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The model artifacts under the models directory, verified, and which of them serves. */
public final class ModelCatalog {

  /**
   * A model as listed.
   *
   * @param id its name
   * @param active whether it serves now
   * @param fingerprint identity of its weights
   * @param manifest its manifest
   */
  public record ModelInfo(String id, boolean active, String fingerprint, ModelManifest manifest) {}

  private final Path root;
  private final ActiveModel active;

  /**
   * @param root the models directory (one artifact directory per model)
   */
  public ModelCatalog(Path root, ActiveModel active) {
    this.root = root;
    this.active = active;
  }

  /** Every valid (sha256-verified) artifact, by directory name; corrupt ones are left out. */
  public List<ModelInfo> list() throws IOException {
    List<ModelInfo> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir :
          dirs.filter(d -> Files.isRegularFile(d.resolve(ModelArtifact.MANIFEST)))
              .sorted()
              .toList()) {
        try {
          out.add(info(ModelArtifact.open(dir)));
        } catch (ModelArtifactException invalid) {
          // a corrupt or half-written artifact is not a model; get(id) says why
        }
      }
    }
    return out;
  }

  /**
   * One artifact, verified.
   *
   * @throws UnknownModelException if there is none with that id
   * @throws ModelArtifactException if it is invalid
   */
  public ModelInfo get(String id) {
    return info(ModelArtifact.open(directory(id)));
  }

  /**
   * The artifact directory of {@code id}.
   *
   * @throws IllegalArgumentException if {@code id} is not a plain directory name
   * @throws UnknownModelException if there is no such directory
   */
  public Path directory(String id) {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException("model ids are letters, digits, '.', '_' and '-'");
    }
    Path dir = root.resolve(id);
    if (!Files.isDirectory(dir)) {
      throw new UnknownModelException("no model has id " + id);
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
