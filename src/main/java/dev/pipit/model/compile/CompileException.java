package dev.pipit.model.compile;

/** The serving compiler could not compile a network; the message says why. */
public final class CompileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  CompileException(String message) {
    super(message);
  }

  CompileException(String message, Throwable cause) {
    super(message, cause);
  }
}
