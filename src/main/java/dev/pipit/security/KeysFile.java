package dev.pipit.security;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * Reads API keys from a file in the shape of {@code pipit.security.keys} without the prefix: YAML
 * ({@code .yml}/{@code .yaml}: a {@code keys:} list of name, hash, roles) or properties ({@code
 * keys[0].name=…}, {@code keys[0].roles=write,read}). Both bind through Spring's binder, so they
 * accept what {@code application.yml} accepts.
 */
final class KeysFile {

  private KeysFile() {}

  static List<ApiKeySpec> read(Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalStateException("pipit.security.keys-file " + file + " is not readable");
    }
    Properties properties = new Properties();
    String name = file.getFileName().toString();
    if (name.endsWith(".yml") || name.endsWith(".yaml")) {
      YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
      yaml.setResources(new FileSystemResource(file));
      properties.putAll(yaml.getObject());
    } else {
      try (Reader reader = Files.newBufferedReader(file)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read pipit.security.keys-file " + file, e);
      }
    }
    return new Binder(new MapConfigurationPropertySource(properties))
        .bind("keys", Bindable.listOf(ApiKeySpec.class))
        .orElse(List.of());
  }
}
