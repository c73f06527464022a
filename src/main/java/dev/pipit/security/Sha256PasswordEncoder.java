package dev.pipit.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.crypto.password.Pbkdf2PasswordEncoder;

/**
 * SHA-256 of an API key, hex-encoded, compared in constant time. Unsalted and fast on purpose: API
 * keys are random with at least 192 bits of entropy, so neither a dictionary nor brute force gets
 * anywhere against their hash, while bcrypt would cost 50–100 ms of CPU on every request. Not for
 * passwords people choose.
 */
public final class Sha256PasswordEncoder implements PasswordEncoder {

  /** The id of this encoding in a {@code {id}encoded} hash. */
  public static final String ID = "sha256";

  /**
   * A {@link DelegatingPasswordEncoder} that encodes with SHA-256 and also matches {@code {bcrypt}}
   * and {@code {pbkdf2}} hashes (slow: one verification per request and key).
   */
  public static PasswordEncoder delegating() {
    Map<String, PasswordEncoder> encoders = new HashMap<>();
    encoders.put(ID, new Sha256PasswordEncoder());
    encoders.put("bcrypt", new BCryptPasswordEncoder());
    encoders.put("pbkdf2", Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8());
    return new DelegatingPasswordEncoder(ID, encoders);
  }

  @Override
  public String encode(CharSequence raw) {
    return HexFormat.of().formatHex(digest(raw));
  }

  @Override
  public boolean matches(CharSequence raw, String encoded) {
    if (raw == null || encoded == null) {
      return false;
    }
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(encoded.trim().toLowerCase());
    } catch (IllegalArgumentException notHex) {
      return false;
    }
    return MessageDigest.isEqual(digest(raw), expected);
  }

  static byte[] digest(CharSequence raw) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(raw.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException everyJdkHasIt) {
      throw new IllegalStateException(everyJdkHasIt);
    }
  }
}
