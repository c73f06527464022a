package dev.pipit.cluster.node;

import java.util.List;

/** Where a node's tailer applies the change log, one ordered batch at a time. */
public interface ChangeSink {

  /** Applies {@code batch} (ascending sequences, all after the previous batch) before returning. */
  void apply(List<Change> batch);
}
