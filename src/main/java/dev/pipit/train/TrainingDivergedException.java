package dev.pipit.train;

import java.util.Locale;

/**
 * A training step's loss was not finite (NaN or infinite): the run diverged. The step's update was
 * not applied, and the last checkpoint (that of the last completed outer iteration) stays valid:
 * resume from it with a lower learning rate.
 */
public class TrainingDivergedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(int iteration, long step, double[] terms) {
    super(
        String.format(
            Locale.ROOT,
            "training diverged in outer iteration %d, step %d: the loss is not finite (hash %s,"
                + " quantisation %s, extra %s); the step was not applied and the last checkpoint is"
                + " intact: resume with a lower learning rate (--lr)",
            iteration + 1,
            step,
            terms[0],
            terms[1],
            terms[2]));
  }
}
