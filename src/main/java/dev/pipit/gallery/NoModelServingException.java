package dev.pipit.gallery;

/** No model is loaded, so there is nothing to search or index with (the API answers 503). */
public final class NoModelServingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NoModelServingException() {
    super("no model is serving: start the service with pipit.serving.model=<artifact directory>");
  }

  /**
   * @param reason why the service started without a model (e.g. the recorded one is missing)
   */
  public NoModelServingException(String reason) {
    super("no model is serving: " + reason);
  }
}
