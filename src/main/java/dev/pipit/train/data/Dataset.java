package dev.pipit.train.data;

import java.util.List;
import java.util.Objects;

/**
 * A single-label image dataset with a fixed train/test split. In the retrieval protocol the test
 * split gives the queries and the train split the database.
 *
 * <p>The constructor checks the invariants every loader guarantees: every label lies in {@code 0 ..
 * classes.size()-1} and every class has at least one training image. Loaders check them earlier,
 * with the offending list file in the message; this is the backstop.
 *
 * @param name short dataset name, e.g. {@code cub200}
 * @param classes class names; label {@code i} is {@code classes.get(i)}
 * @param train the training split (the retrieval database)
 * @param test the test split (the retrieval queries)
 */
public record Dataset(String name, List<String> classes, DatasetSplit train, DatasetSplit test) {

  /** Checks the invariants above. */
  public Dataset {
    Objects.requireNonNull(name, "name");
    classes = List.copyOf(classes);
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    if (classes.isEmpty()) {
      throw new IllegalArgumentException(name + ": no classes");
    }
    int[] perClass = new int[classes.size()];
    for (DatasetSplit split : List.of(train, test)) {
      for (int i = 0; i < split.size(); i++) {
        int label = split.label(i);
        if (label < 0 || label >= classes.size()) {
          throw new IllegalArgumentException(
              name
                  + ": image "
                  + split.id(i)
                  + " has label "
                  + label
                  + ", outside 0.."
                  + (classes.size() - 1));
        }
        if (split == train) {
          perClass[label]++;
        }
      }
    }
    for (int c = 0; c < perClass.length; c++) {
      if (perClass[c] == 0) {
        throw new IllegalArgumentException(
            name + ": class " + c + " (" + classes.get(c) + ") has no training images");
      }
    }
  }

  /** Number of classes. */
  public int classCount() {
    return classes.size();
  }
}
