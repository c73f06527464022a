package dev.pipit.train;

/**
 * A training run stopped because its cancellation flag was raised; the last checkpoint stays valid.
 */
public class TrainingCancelledException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TrainingCancelledException(int iteration) {
    super("training cancelled during outer iteration " + iteration);
  }
}
