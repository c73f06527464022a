package dev.pipit.api;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ServingModel;
import dev.pipit.model.EngineDevice;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** What this pipit process is running on. */
@RestController
@RequestMapping("/v1/system")
@Tag(name = "system", description = "Process, engine and device information")
class SystemController {

  private final EngineDevice engine;
  private final String version;
  private final ObjectProvider<ActiveModel> serving;

  SystemController(
      EngineDevice engine,
      ObjectProvider<BuildProperties> build,
      ObjectProvider<ActiveModel> serving) {
    this.engine = engine;
    this.serving = serving;
    BuildProperties properties = build.getIfAvailable();
    this.version = properties == null ? "dev" : properties.getVersion();
  }

  @GetMapping
  @Operation(summary = "Engine, device and runtime of this process")
  SystemInfo info() {
    return new SystemInfo(
        version,
        Runtime.version().toString(),
        Runtime.getRuntime().availableProcessors(),
        new SystemInfo.Engine(
            engine.engineName(),
            engine.engineVersion(),
            engine.deviceType(),
            engine.requested().name().toLowerCase(),
            engine.fallback(),
            engine.gpuCount()),
        servingInfo());
  }

  private SystemInfo.Serving servingInfo() {
    ActiveModel active = serving.getIfAvailable();
    if (active == null) {
      return null;
    }
    String note = active.startupNote().orElse(null);
    ServingModel model = active.current().orElse(null);
    if (model == null) {
      return note == null ? null : new SystemInfo.Serving(null, null, null, note);
    }
    return new SystemInfo.Serving(model.ref().id(), model.model().servingPath(), note, null);
  }
}
