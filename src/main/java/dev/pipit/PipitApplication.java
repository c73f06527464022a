package dev.pipit;

import dev.pipit.cli.PipitCommand;
import dev.pipit.config.DemoProperties;
import dev.pipit.config.EngineProperties;
import dev.pipit.config.JobsProperties;
import dev.pipit.config.NodeMode;
import dev.pipit.config.RouterApplication;
import dev.pipit.config.ServingProperties;
import dev.pipit.config.StorageProperties;
import dev.pipit.model.EngineDefaults;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import picocli.CommandLine;

/** The pipit service: fine-grained image search over learned binary codes. */
@SpringBootApplication
@EnableConfigurationProperties({
  EngineProperties.class,
  StorageProperties.class,
  ServingProperties.class,
  DemoProperties.class,
  JobsProperties.class
})
public class PipitApplication {

  /**
   * {@code pipit train …} runs the command line; anything else ({@code serve}, or no subcommand)
   * starts the service.
   */
  public static void main(String[] args) {
    EngineDefaults.applyOfflineDefaults();
    if (PipitCommand.handles(args)) {
      PipitCommand.quietLibraries();
      System.exit(new CommandLine(new PipitCommand()).execute(args));
    }
    String[] serviceArgs =
        args.length > 0 && args[0].equals("serve")
            ? Arrays.copyOfRange(args, 1, args.length)
            : args;
    if (RouterApplication.requested(serviceArgs)) {
      RouterApplication.run(serviceArgs); // pipit.cluster.mode=router: no model, no index
      return;
    }
    SpringApplication application = new SpringApplication(PipitApplication.class);
    if (NodeMode.requested(serviceArgs)) {
      application.setAdditionalProfiles("node"); // application-node.yml: replication readiness
    }
    application.run(serviceArgs);
  }
}
