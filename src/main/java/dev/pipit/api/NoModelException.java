package dev.pipit.api;

/** No model is loaded, so nothing can be encoded or searched. Maps to 503. */
class NoModelException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  NoModelException() {
    super("no model is active: start pipit with pipit.serving.model=<artifact directory>");
  }
}
