package dev.pipit.train.eval;

/**
 * Mean over queries of the fraction of relevant items among the first {@code k} of the ranking.
 * When {@code k} exceeds the database size, the whole database is the top-{@code k} and the
 * fraction is taken over its size.
 */
public record PrecisionAtK(int k, double precision) {}
