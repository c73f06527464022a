package dev.pipit.train.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The result of one evaluation: queries ranked the whole database by Hamming distance, ties by
 * database index.
 *
 * @param bits code length
 * @param queries number of queries
 * @param database number of database items
 * @param dropLast whether the last-ranked item was dropped for AP (see {@link EvalOptions})
 * @param map mean average precision over all queries; queries with no relevant item count as AP 0
 * @param queriesWithoutRelevant how many queries had no relevant item in the database
 * @param precisionAtK precision at each requested cut-off, ascending {@code k}
 * @param prCurve precision–recall points for radius {@code 0..bits}
 */
public record RetrievalMetrics(
    int bits,
    int queries,
    int database,
    boolean dropLast,
    double map,
    int queriesWithoutRelevant,
    List<PrecisionAtK> precisionAtK,
    List<PrPoint> prCurve) {

  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  /** Copies the lists. */
  public RetrievalMetrics {
    precisionAtK = List.copyOf(precisionAtK);
    prCurve = List.copyOf(prCurve);
  }

  /** Precision at cut-off {@code k}, which must have been requested. */
  public double precisionAt(int k) {
    return precisionAtK.stream()
        .filter(p -> p.k() == k)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("precision@" + k + " was not computed"))
        .precision();
  }

  /** Indented JSON with the record's component names as keys. */
  public String toJson() {
    return JSON.writeValueAsString(this);
  }

  /** Parses {@link #toJson()} output. */
  public static RetrievalMetrics fromJson(String json) {
    return JSON.readValue(json, RetrievalMetrics.class);
  }

  /** Writes {@link #toJson()} to {@code file}. */
  public void writeJson(Path file) throws IOException {
    Files.writeString(file, toJson());
  }

  /** Reads a file written by {@link #writeJson}. */
  public static RetrievalMetrics readJson(Path file) throws IOException {
    return fromJson(Files.readString(file));
  }
}
