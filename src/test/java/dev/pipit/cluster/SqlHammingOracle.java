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
 * bits. Ties go by {@code sequence}, the item's last write: the single-node index's insertion
 * order.
 */
public final class SqlHammingOracle {

  /** One result: an id and its Hamming distance to the query. */
  public record Hit(String id, int distance) {}

  private SqlHammingOracle() {}

  public static List<Hit> topK(Connection c, String modelId, Code query, int k)
      throws SQLException {
    byte[] bytes = Base64.getDecoder().decode(query.toBase64());
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT id, bit_count(('x' || encode(code, 'hex'))::varbit # ('x' || ?)::varbit) AS d"
                + " FROM pipit_items WHERE model_id = ? AND bits = ?"
                + " ORDER BY d, sequence LIMIT ?")) {
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
