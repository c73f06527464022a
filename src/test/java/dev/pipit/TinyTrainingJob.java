package dev.pipit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The training job the tests against the packaged jar run to its end: ADSH-R50 at 16 bits on a few
 * Fashion-MNIST images, two outer iterations, about a minute on a shared CPU. One definition, so
 * that the HTTP, metrics and browser tests train the same thing.
 */
public final class TinyTrainingJob {

  public static final String METHOD = "adsh-r50";
  public static final int BITS = 16;
  public static final String DATASET = "fashion-mnist";
  public static final String ROOT = "/usr/share/datasets/fashion-mnist";

  /** The schedule by the request's field names, in the order the web page shows them. */
  public static final Map<String, Integer> SCHEDULE = schedule();

  private TinyTrainingJob() {}

  /** The service option that lets jobs read the datasets under /usr/share/datasets. */
  public static String allowedRootsArg() {
    return "--pipit.jobs.allowed-roots=/usr/share/datasets";
  }

  /** The service option that gives jobs the pretrained backbone bin/fetch-assets fetched. */
  public static String backboneArg() {
    return "--pipit.jobs.backbone-weights=" + TestModels.IMAGENET.toAbsolutePath();
  }

  /** The body of {@code POST /v1/train-jobs} for a model called {@code name}. */
  public static String json(String name) {
    return json(name, ROOT);
  }

  /** As {@link #json(String)}, reading the dataset from {@code root} (to test refused roots). */
  public static String json(String name, String root) {
    String schedule =
        SCHEDULE.entrySet().stream()
            .map(e -> "\"%s\": %d".formatted(e.getKey(), e.getValue()))
            .collect(Collectors.joining(", "));
    return """
    {"name": "%s", "method": "%s", "bits": %d, "dataset": "%s", "root": "%s", %s}\
    """
        .formatted(name, METHOD, BITS, DATASET, root, schedule);
  }

  private static Map<String, Integer> schedule() {
    Map<String, Integer> schedule = new LinkedHashMap<>();
    schedule.put("trainPerClass", 12);
    schedule.put("testPerClass", 4);
    schedule.put("outerIterations", 2);
    schedule.put("innerEpochs", 1);
    schedule.put("samples", 60);
    schedule.put("inputSize", 32);
    return Collections.unmodifiableMap(schedule);
  }
}
