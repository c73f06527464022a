package dev.pipit.security;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The API keys the service accepts, as hashes only, and the lookup of a presented key among them.
 */
public final class ApiKeyStore {

  /** Name of the generated key file under the data directory. */
  public static final String GENERATED_FILE = "api-keys.txt";

  private static final Logger log = LoggerFactory.getLogger(ApiKeyStore.class);

  private final List<ApiKeySpec> keys;
  private final PasswordEncoder encoder;

  ApiKeyStore(List<ApiKeySpec> keys, PasswordEncoder encoder) {
    this.keys = List.copyOf(keys);
    this.encoder = encoder;
  }

  /**
   * Gathers the configured keys ({@code pipit.security.keys}, the keys file, the deprecated admin
   * token); with none at all, generates a write and an admin key under the data directory once.
   *
   * @param properties {@code pipit.security.*}
   * @param deprecatedAdminToken {@code pipit.jobs.admin-token}: accepted as an admin key, hashed
   *     here and never kept in plain text; blank: none
   * @param dataDir where the generated key file goes
   */
  public static ApiKeyStore load(
      SecurityProperties properties, String deprecatedAdminToken, Path dataDir) throws IOException {
    List<ApiKeySpec> keys = new ArrayList<>(properties.keys());
    if (properties.keysFile() != null) {
      List<ApiKeySpec> fromFile = KeysFile.read(properties.keysFile());
      log.info("API keys: {} from {}", fromFile.size(), properties.keysFile().toAbsolutePath());
      keys.addAll(fromFile);
    }
    if (deprecatedAdminToken != null && !deprecatedAdminToken.isBlank()) {
      log.warn(
          "pipit.jobs.admin-token (PIPIT_ADMIN_TOKEN) is deprecated: it is accepted as an admin"
              + " key; configure a hashed key under pipit.security.keys instead");
      keys.add(
          new ApiKeySpec(
              "admin-token",
              "{"
                  + Sha256PasswordEncoder.ID
                  + "}"
                  + new Sha256PasswordEncoder().encode(deprecatedAdminToken),
              List.of("admin")));
    }
    if (keys.isEmpty()) {
      keys.addAll(GeneratedKeys.loadOrCreate(dataDir.resolve(GENERATED_FILE)));
    }
    return new ApiKeyStore(keys, Sha256PasswordEncoder.delegating());
  }

  /**
   * The key the presented secret belongs to. Every configured hash is checked (no early exit), so
   * the time taken does not say which key matched.
   */
  public Optional<ApiKeySpec> find(String presented) {
    ApiKeySpec found = null;
    for (ApiKeySpec key : keys) {
      if (encoder.matches(presented, key.hash()) && found == null) {
        found = key;
      }
    }
    return Optional.ofNullable(found);
  }

  /** How many keys are accepted. */
  public int size() {
    return keys.size();
  }
}
