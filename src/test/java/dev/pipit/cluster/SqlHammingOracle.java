package dev.pipit.cluster;

import dev.pipit.index.Code;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The exact top-k of the cluster's items computed by PostgreSQL, to check the nodes and the router
 * against. PostgreSQL has no {@code #} (xor) on {@code bytea}, so both sides are cast to {@code bit
 * varying} through their hex text, and {@code bit_count} (PostgreSQL 14+) counts the differing
 * bits. Ties go by {@code sequence}, the item's last write (the replica index's insertion order),
 * or by id ({@link #topKById}: what a node answers over HTTP and the router merges by).
 */
public final class SqlHammingOracle {

  /** One result: an id and its Hamming distance to the query. */
  public record Hit(String id, int distance) {}

  private SqlHammingOracle() {}

  public static List<Hit> topK(Connection c, String modelId, Code query, int k)
      throws SQLException {
    return topK(c, modelId, query, k, "sequence");
  }

  /**
   * The top k with ties by id ({@code COLLATE "C"}: Java's order of ASCII ids), the order a cluster
   * node answers in over HTTP and the router merges by.
   */
  public static List<Hit> topKById(Connection c, String modelId, Code query, int k)
      throws SQLException {
    return topK(c, modelId, query, k, "id COLLATE \"C\"");
  }

  private static List<Hit> topK(Connection c, String modelId, Code query, int k, String ties)
      throws SQLException {
    byte[] bytes = Base64.getDecoder().decode(query.toBase64());
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT id, bit_count(('x' || encode(code, 'hex'))::varbit # ('x' || ?)::varbit) AS d"
                + " FROM pipit_items WHERE model_id = ? AND bits = ?"
                + " ORDER BY d, "
                + ties
                + " LIMIT ?")) {
      p.setString(1, HexFormat.of().formatHex(bytes));
      p.setString(2, modelId);
      p.setInt(3, query.bits());
      p.setInt(4, k);
      List<Hit> hits = new ArrayList<>();
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          hits.add(new Hit(r.getString(1), r.getInt(2)));
        }
      }
      return hits;
    }
  }
}
