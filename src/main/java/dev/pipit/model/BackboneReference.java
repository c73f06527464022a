package dev.pipit.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How an artifact names the ImageNet backbone it relies on without copying it (LSH and ITQ): the
 * sha256 identity of the backbone's TF.js weights directory, stored in the provenance settings
 * under {@link #SETTING}.
 */
public final class BackboneReference {

  /** Provenance setting holding the identity. */
  public static final String SETTING = "backbone_sha256";

  private static final Map<Path, String> IDS = new ConcurrentHashMap<>();

  private BackboneReference() {}

  /**
   * The identity of a backbone given as a TF.js {@code model.json}: the sha256 over the name and
   * sha256 of every file in its directory (the json and the weight shards), in name order. Memoised
   * per path.
   */
  public static String id(Path modelJson) throws IOException {
    Path key = modelJson.toAbsolutePath().normalize();
    String cached = IDS.get(key);
    if (cached != null) {
      return cached;
    }
    MessageDigest digest = digest();
    try (var files = Files.list(key.getParent())) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        digest.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        digest.update(fileSha256(f).getBytes(StandardCharsets.UTF_8));
      }
    }
    String id = HexFormat.of().formatHex(digest.digest());
    IDS.put(key, id);
    return id;
  }

  /** The identity an artifact's manifest records, or null. */
  public static String of(ModelManifest m) {
    return m.provenance() == null || m.provenance().settings() == null
        ? null
        : m.provenance().settings().get(SETTING);
  }

  /** Lowercase hex sha256 of a file. */
  public static String fileSha256(Path file) throws IOException {
    MessageDigest digest = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
