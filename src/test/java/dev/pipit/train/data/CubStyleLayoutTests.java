package dev.pipit.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CubStyleLayoutTests {

  @TempDir Path root;

  @Test
  void cubSplitsByTheOfficialFlagAndNumbersClassesFromZero() throws IOException {
    Dataset d = DatasetLoader.load("cub200", Fixtures.cub(root));
    assertThat(d.name()).isEqualTo("cub200");
    assertThat(d.classes()).containsExactly("001.Albatross", "002.Auklet");
    assertThat(ids(d.train())).containsExactly("1", "2", "4"); // images.txt order, no shuffle
    assertThat(d.train().labels()).containsExactly(0, 1, 1);
    assertThat(ids(d.test())).containsExactly("3", "5");
    assertThat(d.test().labels()).containsExactly(0, 0);
    assertThat(d.train().image(0).getWidth()).isEqualTo(6);
    assertThat(((ImageFileSplit) d.train()).file(1))
        .isEqualTo(root.resolve("images/002.Auklet/b_2.jpg"));
  }

  @Test
  void cubSubsetKeepsTheFirstImagesOfEachClass() throws IOException {
    Dataset d =
        DatasetLoader.load("cub200", Fixtures.cub(root), LoadOptions.defaults().withSubset(1, 1));
    assertThat(ids(d.train())).containsExactly("1", "2");
    assertThat(ids(d.test())).containsExactly("3");
  }

  @Test
  void mismatchedListLengthsNameTheShortList() {
    Fixtures.cub(root);
    Fixtures.write(root.resolve("image_class_labels.txt"), "1 1", "2 2", "3 1", "4 2");
    assertThatThrownBy(() -> DatasetLoader.load("cub200", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("image_class_labels.txt")
        .hasMessageContaining("4 entries but images.txt has 5")
        .hasMessageContaining("image id 5 is missing");
  }

  @Test
  void labelOutOfRangeNamesFileAndLine() {
    Fixtures.cub(root);
    Fixtures.write(root.resolve("image_class_labels.txt"), "1 1", "2 2", "3 7", "4 2", "5 1");
    assertThatThrownBy(() -> DatasetLoader.load("cub200", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("image_class_labels.txt: line 3: class id 7 is outside 1..2");
  }

  @Test
  void classWithoutTrainingImagesIsRejected() {
    Fixtures.cub(root);
    Fixtures.write(root.resolve("train_test_split.txt"), "1 1", "2 0", "3 0", "4 0", "5 0");
    assertThatThrownBy(() -> DatasetLoader.load("cub200", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("train_test_split.txt")
        .hasMessageContaining("class 1 (002.Auklet) has no training images");
  }

  @Test
  void badSplitFlagAndMissingListsAreRejected() throws IOException {
    Fixtures.cub(root);
    Fixtures.write(root.resolve("train_test_split.txt"), "1 1", "2 1", "3 yes", "4 1", "5 0");
    assertThatThrownBy(() -> DatasetLoader.load("cub200", root))
        .hasMessageContaining(
            "train_test_split.txt: line 3: split flag must be 1 (train) or 0 (test)");
    Files.delete(root.resolve("classes.txt"));
    assertThatThrownBy(() -> DatasetLoader.load("cub200", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("classes.txt: required list file is missing");
  }

  @Test
  void missingAndCorruptImagesFailAtLoad() throws IOException {
    Fixtures.cub(root);
    Path corrupt = root.resolve("images/001.Albatross/a_3.jpg");
    Fixtures.corrupt(corrupt);
    assertThatThrownBy(() -> DatasetLoader.load("cub200", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(corrupt.toString())
        .hasMessageContaining("not a recognised image format");
    // EXISTS does not open files, FULL decodes them: both agree on what they check.
    assertThat(
            DatasetLoader.load(
                    "cub200", root, LoadOptions.defaults().withValidation(Validation.EXISTS))
                .test()
                .size())
        .isEqualTo(2);
    assertThatThrownBy(
            () ->
                DatasetLoader.load(
                    "cub200", root, LoadOptions.defaults().withValidation(Validation.FULL)))
        .hasMessageContaining(corrupt.toString());
    Path missing = root.resolve("images/002.Auklet/b_4.jpg");
    Files.delete(missing);
    assertThatThrownBy(
            () ->
                DatasetLoader.load(
                    "cub200", root, LoadOptions.defaults().withValidation(Validation.EXISTS)))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(missing + ": listed image file is missing");
  }

  @Test
  void nabirdsUsesLeafClassesRemappedDensely() throws IOException {
    nabirds();
    Dataset d = DatasetLoader.load("nabirds", root);
    // Used ids 295 and 313 (sorted) become 0 and 1; inner nodes 0 and 22 are not classes.
    assertThat(d.classes()).containsExactly("Wood Duck", "American Wigeon (Breeding male)");
    assertThat(ids(d.train())).containsExactly("aa-1", "bb-2");
    assertThat(d.train().labels()).containsExactly(1, 0);
    assertThat(d.test().labels()).containsExactly(0);
  }

  @Test
  void nabirdsRejectsImagesLabelledWithAnInnerNode() {
    nabirds();
    Fixtures.write(root.resolve("image_class_labels.txt"), "aa-1 313", "bb-2 22", "cc-3 295");
    assertThatThrownBy(() -> DatasetLoader.load("nabirds", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(
            "hierarchy.txt: images are labelled with class 22, which is not a leaf");
  }

  private void nabirds() {
    Fixtures.write(
        root.resolve("classes.txt"),
        "0 Birds",
        "22 Ducks, Geese, and Swans",
        "295 Wood Duck",
        "313 American Wigeon (Breeding male)");
    Fixtures.write(root.resolve("hierarchy.txt"), "22 0", "295 22", "313 22");
    Fixtures.write(
        root.resolve("images.txt"), "aa-1 0313/aa1.jpg", "bb-2 0295/bb2.jpg", "cc-3 0295/cc3.jpg");
    Fixtures.write(root.resolve("image_class_labels.txt"), "aa-1 313", "bb-2 295", "cc-3 295");
    Fixtures.write(root.resolve("train_test_split.txt"), "aa-1 1", "bb-2 1", "cc-3 0");
    Fixtures.image(root.resolve("images/0313/aa1.jpg"), 1);
    Fixtures.image(root.resolve("images/0295/bb2.jpg"), 2);
    Fixtures.image(root.resolve("images/0295/cc3.jpg"), 3);
  }

  static String[] ids(DatasetSplit split) {
    String[] ids = new String[split.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = split.id(i);
    }
    return ids;
  }
}
