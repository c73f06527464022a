package dev.pipit.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys a service with none configured makes for itself, once: a {@code write} and an {@code
 * admin} key in a properties file only its owner may read ({@code 0600}), reused on later starts.
 * Only the file's path is ever logged; the keys are hashed into memory as they are read.
 */
final class GeneratedKeys {

  /** Key names in the file, which are also the keys' roles. */
  static final List<String> NAMES = List.of("write", "admin");

  private static final Logger log = LoggerFactory.getLogger(GeneratedKeys.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private GeneratedKeys() {}

  /** Reads the file, creating it first if it does not exist; returns the keys hashed. */
  static List<ApiKeySpec> loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      restrict(file);
      log.info("API keys: using the generated keys in {}", file.toAbsolutePath());
    } else {
      create(file);
      log.warn(
          "No API key configured: generated a write and an admin key in {} (owner-only); send"
              + " one as Authorization: Bearer <key>",
          file.toAbsolutePath());
    }
    Properties keys = new Properties();
    try (var reader = Files.newBufferedReader(file)) {
      keys.load(reader);
    }
    List<ApiKeySpec> specs = new ArrayList<>();
    for (String name : NAMES) {
      String key = keys.getProperty(name);
      if (key == null || key.isBlank()) {
        throw new IllegalStateException(file + " has no " + name + " key; delete it to regenerate");
      }
      specs.add(
          new ApiKeySpec(
              "generated-" + name,
              "{" + Sha256PasswordEncoder.ID + "}" + new Sha256PasswordEncoder().encode(key.trim()),
              List.of(name)));
    }
    return specs;
  }

  /** A new random key: a readable prefix (which role, for humans) and 256 random bits. */
  static String newKey(String role) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return "pipit_" + role + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    StringBuilder text =
        new StringBuilder(
            "# pipit API keys, generated at first start because none was configured.\n"
                + "# Send one as 'Authorization: Bearer <key>'. Delete this file to get new"
                + " ones.\n");
    for (String name : NAMES) {
      text.append(name).append('=').append(newKey(name)).append('\n');
    }
    // Written to a temporary file made owner-only before a byte goes in, then moved into place,
    // so no other user can ever read it and a crash never leaves half a file.
    Path temp = dir.resolve(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    if (isPosix(dir)) {
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } else {
      Files.createFile(temp);
    }
    Files.writeString(temp, text);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void restrict(Path file) throws IOException {
    if (isPosix(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
      log.warn("{} was readable by others; made it owner-only", file.toAbsolutePath());
    }
  }

  private static boolean isPosix(Path path) {
    return Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
  }
}
