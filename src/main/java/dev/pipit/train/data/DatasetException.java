package dev.pipit.train.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset on disk is missing, malformed or inconsistent. The message names the offending file
 * (and line, where there is one) so that a bad download is found at load time rather than hours
 * into training.
 */
public class DatasetException extends IOException {

  private final transient Path file;

  /** A problem with {@code file}; the message is prefixed with the file's path. */
  public DatasetException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  /** A problem with {@code file} caused by {@code cause}. */
  public DatasetException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file the problem was found in. */
  public Path file() {
    return file;
  }
}
