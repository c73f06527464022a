package dev.pipit.security;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Access to the HTTP API ({@code pipit.security.*}).
 *
 * @param anonymousRead reads (search, items, images, models, jobs) need no credential; false: they
 *     need a key with the read role
 * @param keys API keys, each stored hashed ({@code {sha256}hex}, {@code {bcrypt}…}, …)
 * @param keysFile more keys from a YAML or properties file (e.g. a mounted Kubernetes Secret), in
 *     the same shape: {@code keys[0].name}, {@code keys[0].hash}, {@code keys[0].roles}
 * @param cors cross-origin access; off unless origins are listed
 */
@ConfigurationProperties("pipit.security")
public record SecurityProperties(
    @DefaultValue("true") boolean anonymousRead,
    @DefaultValue List<ApiKeySpec> keys,
    Path keysFile,
    @DefaultValue Cors cors) {

  /**
   * @param allowedOrigins origins a browser may call the API from; empty: CORS off
   */
  public record Cors(@DefaultValue List<String> allowedOrigins) {}
}
