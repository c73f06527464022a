package dev.pipit.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model artifact directory ({@code models/<name>/}): a {@code manifest.json} ({@link
 * ModelManifest}) and the files it lists. {@link #open} verifies the manifest and the sha256 of
 * every listed file before anything is loaded, so a corrupt or tampered artifact is refused with a
 * message naming the file.
 */
public final class ModelArtifact {

  /** Name of the manifest file inside an artifact directory. */
  public static final String MANIFEST = "manifest.json";

  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private final Path directory;
  private final ModelManifest manifest;
  private final String fingerprint;

  private ModelArtifact(Path directory, ModelManifest manifest) {
    this.directory = directory;
    this.manifest = manifest;
    this.fingerprint = fingerprintOf(manifest);
  }

  /**
   * Reads and verifies an artifact.
   *
   * @throws ModelArtifactException if the manifest is missing, malformed or inconsistent, a listed
   *     file is missing or escapes the directory, or a file's sha256 differs from the manifest
   */
  public static ModelArtifact open(Path directory) {
    Path manifestFile = directory.resolve(MANIFEST);
    ModelManifest manifest;
    try {
      manifest = GSON.fromJson(Files.readString(manifestFile), ModelManifest.class);
    } catch (NoSuchFileException e) {
      throw new ModelArtifactException(
          directory + " is not a model artifact: " + MANIFEST + " is missing");
    } catch (IOException | JsonParseException e) {
      throw new ModelArtifactException(manifestFile + " cannot be read: " + e.getMessage(), e);
    }
    if (manifest == null) {
      throw new ModelArtifactException(manifestFile + " is empty");
    }
    validate(manifestFile, manifest);
    for (Map.Entry<String, String> file : manifest.files().entrySet()) {
      Path path = resolveInside(directory, file.getKey());
      String actual;
      try {
        actual = sha256(path);
      } catch (NoSuchFileException e) {
        throw new ModelArtifactException(
            "model "
                + manifest.name()
                + ": "
                + file.getKey()
                + " is listed in the manifest but missing");
      } catch (IOException e) {
        throw new ModelArtifactException(
            "model " + manifest.name() + ": cannot read " + file.getKey(), e);
      }
      if (!actual.equalsIgnoreCase(file.getValue())) {
        throw new ModelArtifactException(
            "model "
                + manifest.name()
                + ": "
                + file.getKey()
                + " is corrupt: sha256 is "
                + actual
                + " but the manifest says "
                + file.getValue());
      }
    }
    return new ModelArtifact(directory, manifest);
  }

  /**
   * Writes {@code manifest.json} for files already in {@code directory}, filling in their sha256.
   * The manifest is written to a temporary file and moved into place, so a reader never sees half
   * of it.
   *
   * @param manifest the manifest; its {@code files} map names the files (the hashes are recomputed)
   * @return the verified artifact
   */
  public static ModelArtifact write(Path directory, ModelManifest manifest) throws IOException {
    Map<String, String> hashes = new TreeMap<>();
    for (String file : manifest.files().keySet()) {
      hashes.put(file, sha256(resolveInside(directory, file)));
    }
    ModelManifest complete =
        new ModelManifest(
            manifest.format(),
            manifest.name(),
            manifest.architecture(),
            manifest.bits(),
            manifest.input(),
            manifest.preprocessing(),
            manifest.classes(),
            manifest.weights(),
            hashes,
            manifest.provenance());
    validate(directory.resolve(MANIFEST), complete);
    Path temp = directory.resolve(MANIFEST + ".tmp");
    Files.writeString(temp, GSON.toJson(complete), StandardCharsets.UTF_8);
    try {
      Files.move(temp, directory.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, directory.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING);
    }
    return open(directory);
  }

  private static void validate(Path file, ModelManifest m) {
    require(
        file,
        m.format() == ModelManifest.FORMAT,
        "format must be " + ModelManifest.FORMAT + ", is " + m.format());
    require(
        file,
        m.name() != null && m.name().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}"),
        "name must be 1-128 letters, digits, '.', '_' or '-', is " + m.name());
    require(
        file,
        m.architecture() != null && ModelManifest.ARCHITECTURES.contains(m.architecture()),
        "architecture must be one of " + ModelManifest.ARCHITECTURES + ", is " + m.architecture());
    require(file, m.bits() >= 1 && m.bits() <= 1024, "bits must be 1..1024, is " + m.bits());
    require(
        file,
        m.input() != null
            && m.input().channels() > 0
            && m.input().height() > 0
            && m.input().width() > 0,
        "input must give positive channels, height and width");
    require(file, m.preprocessing() != null, "preprocessing is missing");
    require(file, m.weights() != null, "weights is missing");
    require(
        file,
        m.files() != null && m.files().containsKey(m.weights()),
        "files must list the weights file " + m.weights() + " with its sha256");
  }

  private static void require(Path file, boolean condition, String message) {
    if (!condition) {
      throw new ModelArtifactException(file + ": " + message);
    }
  }

  /**
   * Resolves a manifest path, refusing absolute paths and any that leave the artifact directory.
   */
  private static Path resolveInside(Path directory, String relative) {
    Path resolved = directory.resolve(relative).normalize();
    if (Path.of(relative).isAbsolute() || !resolved.startsWith(directory.normalize())) {
      throw new ModelArtifactException(
          "manifest path " + relative + " points outside " + directory);
    }
    return resolved;
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String fingerprintOf(ModelManifest m) {
    StringBuilder text = new StringBuilder(m.architecture()).append('/').append(m.bits());
    new TreeMap<>(m.files())
        .forEach((file, hash) -> text.append('/').append(file).append('=').append(hash));
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The artifact directory. */
  public Path directory() {
    return directory;
  }

  /** The verified manifest. */
  public ModelManifest manifest() {
    return manifest;
  }

  /** The weights file. */
  public Path weightsFile() {
    return directory.resolve(manifest.weights());
  }

  /**
   * A short, stable identity of the weights (architecture, bits and file hashes): an index built
   * with one model refuses codes from another.
   */
  public String fingerprint() {
    return fingerprint;
  }
}
