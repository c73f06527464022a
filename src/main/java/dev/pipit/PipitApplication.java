package dev.pipit;

import dev.pipit.config.EngineProperties;
import dev.pipit.config.StorageProperties;
import dev.pipit.model.EngineDefaults;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The pipit service: fine-grained image search over learned binary codes. */
@SpringBootApplication
@EnableConfigurationProperties({EngineProperties.class, StorageProperties.class})
public class PipitApplication {

  public static void main(String[] args) {
    EngineDefaults.applyOfflineDefaults();
    SpringApplication.run(PipitApplication.class, args);
  }
}
