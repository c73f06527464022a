package dev.pipit.security;

import java.util.List;
import java.util.Set;

/**
 * One configured API key: never the key itself, only its hash in a {@code PasswordEncoder} format.
 *
 * @param name who the key belongs to; the audit log names callers by it
 * @param hash {@code {sha256}<hex of SHA-256 of the key>}, or any other encoding the service's
 *     {@code DelegatingPasswordEncoder} knows ({@code {bcrypt}}, {@code {pbkdf2}})
 * @param roles {@code read}, {@code write} and/or {@code admin}
 */
public record ApiKeySpec(String name, String hash, List<String> roles) {

  /** The roles a key may carry. */
  public static final Set<String> ROLES = Set.of("read", "write", "admin");

  /** Checks the key is complete and names only known roles. */
  public ApiKeySpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("an API key needs a name");
    }
    if (hash == null || !hash.startsWith("{") || !hash.contains("}")) {
      throw new IllegalArgumentException(
          "API key " + name + ": hash must be {id}encoded, e.g. {sha256}<hex>");
    }
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("API key " + name + " has no role");
    }
    for (String role : roles) {
      if (!ROLES.contains(role)) {
        throw new IllegalArgumentException(
            "API key " + name + ": unknown role " + role + ", expected one of read, write, admin");
      }
    }
    roles = List.copyOf(roles);
  }
}
