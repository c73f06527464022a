package dev.pipit.train.data;

import static dev.pipit.train.data.CubStyleLayoutTests.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FGVC-Aircraft, Food-101, VegFru and the generic image-folder layout on generated trees. */
class ListLayoutTests {

  @TempDir Path root;

  @Test
  void aircraftUsesVariantNamesWithSpacesAndSlashes() throws IOException {
    aircraft();
    Dataset d = DatasetLoader.load("aircraft", root);
    assertThat(d.classes()).containsExactly("F/A-18", "Falcon 2000");
    assertThat(ids(d.train())).containsExactly("0001", "0002", "0003");
    assertThat(d.train().labels()).containsExactly(1, 0, 1);
    assertThat(d.test().labels()).containsExactly(0);
    assertThat(DatasetLoader.load("aircraft", root.resolve("data")).train().size()).isEqualTo(3);
  }

  @Test
  void aircraftRejectsUnknownVariant() {
    aircraft();
    Fixtures.write(root.resolve("data/images_variant_test.txt"), "0004 F-16A/B");
    assertThatThrownBy(() -> DatasetLoader.load("aircraft", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(
            "images_variant_test.txt: line 1: variant 'F-16A/B' is not in variants.txt");
  }

  @Test
  void food101ReadsMetaListsInOrder() throws IOException {
    food();
    Dataset d = DatasetLoader.load("food101", root);
    assertThat(d.classes()).containsExactly("apple_pie", "baby_back_ribs");
    assertThat(ids(d.train())).containsExactly("baby_back_ribs/2", "apple_pie/1");
    assertThat(d.train().labels()).containsExactly(1, 0);
    assertThat(ids(d.test())).containsExactly("apple_pie/3");
  }

  @Test
  void food101RejectsUnknownClassAndMissingImage() {
    food();
    Fixtures.write(root.resolve("meta/test.txt"), "apple_pie/3", "churros/9");
    assertThatThrownBy(() -> DatasetLoader.load("food101", root))
        .hasMessageContaining("test.txt: line 2: class 'churros' is not in classes.txt");
    Fixtures.write(root.resolve("meta/test.txt"), "apple_pie/3", "apple_pie/404");
    assertThatThrownBy(() -> DatasetLoader.load("food101", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(
            root.resolve("images/apple_pie/404.jpg") + ": listed image file is missing");
  }

  @Test
  void vegfruNamesClassesAfterTheirFolders() throws IOException {
    vegfru();
    Dataset d = DatasetLoader.load("vegfru", root);
    assertThat(d.classes()).containsExactly("spinach", "apple");
    assertThat(d.train().labels()).containsExactly(0, 1, 0);
    assertThat(ids(d.test())).containsExactly("fru92_images/apple/f_3.jpg");
  }

  @Test
  void vegfruRejectsLabelOutOfRangeAndInconsistentFolders() {
    vegfru();
    Fixtures.write(root.resolve("vegfru_list/vegfru_test.txt"), "fru92_images/apple/f_3.jpg 2");
    assertThatThrownBy(() -> DatasetLoader.load("vegfru", root))
        .hasMessageContaining("vegfru_test.txt: line 1: label 2 is outside 0..1");
    Fixtures.write(root.resolve("vegfru_list/vegfru_test.txt"), "fru92_images/apple/f_3.jpg 0");
    assertThatThrownBy(() -> DatasetLoader.load("vegfru", root))
        .hasMessageContaining("label 0 is used for folder 'spinach' elsewhere, here for 'apple'");
    Fixtures.write(root.resolve("vegfru_list/vegfru_train.txt"), "veg200_images/spinach/v_1.jpg 1");
    assertThatThrownBy(() -> DatasetLoader.load("vegfru", root))
        .hasMessageContaining("vegfru_train.txt: class 0 has no training images");
  }

  @Test
  void imageFolderKeepsSplitFileOrderAndSortedClasses() throws IOException {
    // Three images, no shuffle: the order of split.txt is the order of the splits.
    Fixtures.image(root.resolve("cat/one.png"), 1);
    Fixtures.image(root.resolve("ant/two words.jpg"), 2);
    Fixtures.image(root.resolve("ant/three.png"), 3);
    Fixtures.write(
        root.resolve("split.txt"),
        "# comment",
        "cat/one.png train",
        "ant/two words.jpg train",
        "",
        "ant/three.png test");
    Dataset d = DatasetLoader.load("image-folder", root);
    assertThat(d.classes()).containsExactly("ant", "cat");
    assertThat(ids(d.train())).containsExactly("cat/one.png", "ant/two words.jpg");
    assertThat(d.train().labels()).containsExactly(1, 0);
    assertThat(d.test().labels()).containsExactly(0);
    assertThat(d.test().image(0).getHeight()).isEqualTo(5);
  }

  @Test
  void imageFolderFailuresNameTheFile() {
    Fixtures.image(root.resolve("cat/one.png"), 1);
    Fixtures.image(root.resolve("dog/two.png"), 2);
    assertThatThrownBy(() -> DatasetLoader.load("image-folder", root))
        .hasMessageContaining("split.txt: required list file is missing");
    Fixtures.write(root.resolve("split.txt"), "cat/one.png train", "dog/two.png test");
    assertThatThrownBy(() -> DatasetLoader.load("image-folder", root))
        .hasMessageContaining("split.txt: class 1 (dog) has no training images");
    Fixtures.write(root.resolve("split.txt"), "cat/one.png train", "dog/two.png validation");
    assertThatThrownBy(() -> DatasetLoader.load("image-folder", root))
        .hasMessageContaining("split.txt: line 2: split must be 'train' or 'test'");
    Fixtures.write(root.resolve("split.txt"), "cat/one.png train", "../escape.png test");
    assertThatThrownBy(() -> DatasetLoader.load("image-folder", root))
        .hasMessageContaining("points outside");
    Fixtures.write(
        root.resolve("split.txt"), "cat/one.png train", "dog/two.png train", "cat/one.png test");
    Fixtures.corrupt(root.resolve("dog/two.png"));
    assertThatThrownBy(() -> DatasetLoader.load("image-folder", root))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(root.resolve("dog/two.png").toString());
  }

  @Test
  void unknownKindIsRejected() {
    assertThatThrownBy(() -> DatasetLoader.load("imagenet", root))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fashion-mnist");
  }

  private void aircraft() {
    Fixtures.write(root.resolve("data/variants.txt"), "F/A-18", "Falcon 2000");
    Fixtures.write(
        root.resolve("data/images_variant_trainval.txt"),
        "0001 Falcon 2000",
        "0002 F/A-18",
        "0003 Falcon 2000");
    Fixtures.write(root.resolve("data/images_variant_test.txt"), "0004 F/A-18");
    for (int i = 1; i <= 4; i++) {
      Fixtures.image(root.resolve("data/images/000" + i + ".jpg"), i);
    }
  }

  private void food() {
    Fixtures.write(root.resolve("meta/classes.txt"), "apple_pie", "baby_back_ribs");
    Fixtures.write(root.resolve("meta/train.txt"), "baby_back_ribs/2", "apple_pie/1");
    Fixtures.write(root.resolve("meta/test.txt"), "apple_pie/3");
    Fixtures.image(root.resolve("images/apple_pie/1.jpg"), 1);
    Fixtures.image(root.resolve("images/baby_back_ribs/2.jpg"), 2);
    Fixtures.image(root.resolve("images/apple_pie/3.jpg"), 3);
  }

  private void vegfru() {
    Fixtures.write(
        root.resolve("vegfru_list/vegfru_train.txt"),
        "veg200_images/spinach/v_1.jpg 0",
        "fru92_images/apple/f_2.jpg 1",
        "veg200_images/spinach/v_4.jpg 0");
    Fixtures.write(root.resolve("vegfru_list/vegfru_test.txt"), "fru92_images/apple/f_3.jpg 1");
    Fixtures.image(root.resolve("veg200_images/spinach/v_1.jpg"), 1);
    Fixtures.image(root.resolve("fru92_images/apple/f_2.jpg"), 2);
    Fixtures.image(root.resolve("fru92_images/apple/f_3.jpg"), 3);
    Fixtures.image(root.resolve("veg200_images/spinach/v_4.jpg"), 4);
  }
}
