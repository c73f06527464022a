package dev.pipit.train.eval;

import java.util.List;

/**
 * Options of {@link RetrievalEvaluator}.
 *
 * @param dropLast drop the last-ranked database item of every query before computing AP, as the
 *     AGMH/SEMICON evaluation code does ({@code [:-1]}); only for comparing with their logs. It
 *     affects mAP only, not precision@k or the PR curve
 * @param precisionAtK the cut-offs {@code k} to report precision at (positive; sorted and
 *     de-duplicated)
 * @param threads worker threads over queries; the result does not depend on it
 */
public record EvalOptions(boolean dropLast, List<Integer> precisionAtK, int threads) {

  /** Checks and normalises the cut-offs. */
  public EvalOptions {
    precisionAtK = precisionAtK.stream().distinct().sorted().toList();
    for (int k : precisionAtK) {
      if (k < 1) {
        throw new IllegalArgumentException("precision@k needs k >= 1, got " + k);
      }
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
  }

  /** The paper protocol: no dropping, P@{10, 100, 1000}, one thread per available processor. */
  public static EvalOptions defaults() {
    return new EvalOptions(
        false, List.of(10, 100, 1000), Runtime.getRuntime().availableProcessors());
  }

  /** These options with {@code dropLast} set. */
  public EvalOptions withDropLast(boolean dropLast) {
    return new EvalOptions(dropLast, precisionAtK, threads);
  }

  /** These options with other cut-offs. */
  public EvalOptions withPrecisionAtK(List<Integer> ks) {
    return new EvalOptions(dropLast, ks, threads);
  }

  /** These options with another thread count. */
  public EvalOptions withThreads(int threads) {
    return new EvalOptions(dropLast, precisionAtK, threads);
  }
}
