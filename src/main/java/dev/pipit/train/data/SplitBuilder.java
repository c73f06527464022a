package dev.pipit.train.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects (file, label, id) triples for an {@link ImageFileSplit}, in list order. */
final class SplitBuilder {

  private final List<Path> files = new ArrayList<>();
  private final List<Integer> labels = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();

  void add(Path file, int label, String id) {
    files.add(file);
    labels.add(label);
    ids.add(id);
  }

  int size() {
    return files.size();
  }

  ImageFileSplit build(ImageDecoder decoder) {
    return new ImageFileSplit(
        files, labels.stream().mapToInt(Integer::intValue).toArray(), ids, decoder);
  }
}
