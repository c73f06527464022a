package dev.pipit.train.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FGVC-Aircraft 2013b at the variant level (100 classes). {@code root} is the distribution's top
 * folder or its {@code data/} folder, which holds:
 *
 * <ul>
 *   <li>{@code variants.txt}: one variant name per line; line order gives the labels;
 *   <li>{@code images_variant_trainval.txt}, {@code images_variant_test.txt}: {@code <image id>
 *       <variant name>}, where the name may contain spaces and slashes ({@code F/A-18}, {@code
 *       Falcon 2000});
 *   <li>{@code images/<image id>.jpg}.
 * </ul>
 *
 * <p>Train is the trainval list (6,667 images), test the test list (3,333). The images keep their
 * 20-pixel copyright banner; cropping it is a transform's job, not the loader's.
 */
final class AircraftLayout {

  private AircraftLayout() {}

  static Dataset load(Path root, LoadOptions options) throws DatasetException {
    ListFile.requireDirectory(root);
    Path data =
        Files.isRegularFile(root.resolve("data/variants.txt")) ? root.resolve("data") : root;
    Path variantsList = data.resolve("variants.txt");
    List<String> classes = new ArrayList<>();
    Map<String, Integer> labels = new HashMap<>();
    for (ListFile.Line line : ListFile.read(variantsList)) {
      if (labels.put(line.text(), classes.size()) != null) {
        throw line.error("variant '" + line.text() + "' appears twice");
      }
      classes.add(line.text());
    }
    Path images = ListFile.requireDirectory(data.resolve("images"));
    Path trainList = data.resolve("images_variant_trainval.txt");
    Path testList = data.resolve("images_variant_test.txt");
    SplitBuilder train = split(trainList, images, labels);
    SplitBuilder test = split(testList, images, labels);
    return Layouts.finish("aircraft", classes, train, trainList, test, testList, options);
  }

  private static SplitBuilder split(Path list, Path images, Map<String, Integer> labels)
      throws DatasetException {
    SplitBuilder split = new SplitBuilder();
    for (ListFile.Line line : ListFile.read(list)) {
      String[] f = line.fields(2);
      Integer label = labels.get(f[1]);
      if (label == null) {
        throw line.error("variant '" + f[1] + "' is not in variants.txt");
      }
      split.add(Layouts.inside(images, f[0] + ".jpg", line), label, f[0]);
    }
    return split;
  }
}
