package dev.pipit.security;

import org.springframework.test.context.DynamicPropertyRegistry;

/** Three API keys, one per role, configured hashed as an operator would. */
final class TestKeys {

  static final String READ = "pipit_read_t3st-r34d-k3y-0000000000000000000000";
  static final String WRITE = "pipit_write_t3st-wr1t3-k3y-000000000000000000000";
  static final String ADMIN = "pipit_admin_t3st-4dm1n-k3y-000000000000000000000";
  static final String WRONG = "pipit_admin_n0t-4-c0nf1gur3d-k3y-00000000000000";

  private TestKeys() {}

  static String hash(String key) {
    return "{sha256}" + new Sha256PasswordEncoder().encode(key);
  }

  /** Configures the three keys under {@code pipit.security.keys}. */
  static void register(DynamicPropertyRegistry registry) {
    String[][] keys = {
      {"reader", READ, "read"}, {"writer", WRITE, "write"}, {"ops", ADMIN, "admin"}
    };
    for (int i = 0; i < keys.length; i++) {
      String[] key = keys[i];
      registry.add("pipit.security.keys[" + i + "].name", () -> key[0]);
      registry.add("pipit.security.keys[" + i + "].hash", () -> hash(key[1]));
      registry.add("pipit.security.keys[" + i + "].roles", () -> key[2]);
    }
  }
}
