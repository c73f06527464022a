package dev.pipit.train.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the whitespace-separated text lists that dataset distributions ship, keeping line numbers.
 */
final class ListFile {

  private ListFile() {}

  /** One non-blank line of a list file. */
  record Line(Path file, int number, String text) {

    /** A problem on this line. */
    DatasetException error(String message) {
      return new DatasetException(file, "line " + number + ": " + message);
    }

    /**
     * Splits into exactly {@code n} fields: the first {@code n-1} at whitespace, the rest as the
     * last.
     */
    String[] fields(int n) throws DatasetException {
      String[] parts = text.strip().split("\\s+", n);
      if (parts.length != n) {
        throw error("expected " + n + " fields, got '" + text + "'");
      }
      return parts;
    }

    /** Parses an integer field. */
    int integer(String field) throws DatasetException {
      try {
        return Integer.parseInt(field);
      } catch (NumberFormatException e) {
        throw error("'" + field + "' is not an integer");
      }
    }
  }

  /**
   * Reads {@code file}, dropping blank lines and lines starting with {@code #}; trailing carriage
   * returns (lists edited on Windows) are stripped.
   *
   * @throws DatasetException if the file is missing, unreadable or has no entries
   */
  static List<Line> read(Path file) throws DatasetException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file, "required list file is missing");
    }
    List<String> raw;
    try {
      raw = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DatasetException(file, "cannot read list file: " + e.getMessage(), e);
    }
    List<Line> lines = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      String text = raw.get(i).strip();
      if (!text.isEmpty() && !text.startsWith("#")) {
        lines.add(new Line(file, i + 1, text));
      }
    }
    if (lines.isEmpty()) {
      throw new DatasetException(file, "list file has no entries");
    }
    return lines;
  }

  /** Requires a regular file. */
  static Path require(Path file) throws DatasetException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file, "required file is missing");
    }
    return file;
  }

  /** Requires a directory. */
  static Path requireDirectory(Path dir) throws DatasetException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(dir, "required directory is missing");
    }
    return dir;
  }
}
