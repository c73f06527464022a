package dev.pipit.jobs;

/** No job has this id. Maps to 404. */
public class UnknownJobException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UnknownJobException(String id) {
    super("no training job has id " + id);
  }
}
