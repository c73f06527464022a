package dev.pipit.gallery;

import dev.pipit.model.ModelArtifact;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the model served at start: the one the last completed switch recorded ({@code
 * serving.json}), else the configured default. A recorded model that cannot be served (its artifact
 * disappeared or fails verification) does not stop the process, which would only restart into the
 * same failure: the configured default serves instead, with a WARN and the reason kept ({@link
 * ActiveModel#startupNote}); without a usable default nothing serves and the reason makes readiness
 * DOWN and search and index answer 503. The recorded index and {@code serving.json} are left as
 * they are, so restoring the artifact and restarting serves the recorded gallery again.
 */
public final class ServingStartup {

  private static final Logger log = LoggerFactory.getLogger(ServingStartup.class);

  private ServingStartup() {}

  /**
   * Opens what to serve.
   *
   * @param defaultModel {@code pipit.serving.model}, or null
   * @throws Exception if there is no recorded model and the configured default fails to open (a
   *     configuration error, reported at once)
   */
  public static ActiveModel open(ServingState state, Path defaultModel, ModelSwitch.Opener opener)
      throws Exception {
    Optional<ServingState.Recorded> recorded;
    String problem = null;
    try {
      recorded = state.recorded();
    } catch (RuntimeException e) {
      recorded = Optional.empty();
      problem = "the record of the served model is unreadable (" + describe(e) + ")";
    }
    if (recorded.isEmpty() && problem == null) {
      return new ActiveModel(
          defaultModel == null ? null : openDefault(state, defaultModel, opener));
    }
    if (recorded.isPresent()) {
      Path model = recorded.get().model();
      log.info(
          "Serving {} as recorded by the last model switch (overrides pipit.serving.model)", model);
      try {
        return new ActiveModel(opener.open(model, recorded.get().index()));
      } catch (Exception | LinkageError e) {
        problem = "the recorded model " + model + " cannot be served (" + describe(e) + ")";
      }
    }
    if (defaultModel == null) {
      log.error("{}; no pipit.serving.model to fall back to: not ready", problem);
      return new ActiveModel(null, problem + "; no default model is configured");
    }
    try {
      ServingModel fallback = openDefault(state, defaultModel, opener);
      String note = problem + "; serving the configured default " + fallback.ref().id();
      log.warn(
          "{} with its own gallery index; the recorded index is kept untouched for when the model"
              + " is restored",
          note);
      return new ActiveModel(fallback, note);
    } catch (Exception | LinkageError e) {
      String note = problem + "; the default " + defaultModel + " failed too (" + describe(e) + ")";
      log.error("{}: not ready", note);
      return new ActiveModel(null, note);
    }
  }

  private static ServingModel openDefault(
      ServingState state, Path defaultModel, ModelSwitch.Opener opener) throws Exception {
    ModelArtifact artifact = ModelArtifact.open(defaultModel);
    return opener.open(defaultModel, state.defaultIndexDir(artifact.manifest().name()));
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
