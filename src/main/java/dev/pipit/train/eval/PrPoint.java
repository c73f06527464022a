package dev.pipit.train.eval;

/**
 * One point of the precision–recall curve over Hamming radii: the retrieved set of a query is every
 * database item within distance {@code radius}.
 *
 * <p>{@code precision} is the mean, over the {@code queriesRetrieving} queries whose retrieved set
 * is non-empty, of |relevant ∩ retrieved| / |retrieved|; queries that retrieve nothing are left out
 * rather than counted as 0 or 1. If no query retrieves anything at this radius, precision is 1.0 by
 * convention (nothing wrong was returned) and {@code queriesRetrieving} is 0, so a plot can skip
 * the point. {@code recall} is the mean of |relevant ∩ retrieved| / |relevant| over queries with at
 * least one relevant item; it never decreases as the radius grows and is 1 at {@code radius =
 * bits}.
 */
public record PrPoint(int radius, double precision, double recall, int queriesRetrieving) {}
