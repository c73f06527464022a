package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The random resized crop + flip of end-to-end training. */
class TrainAugmentationTests {

  @Test
  void cropBoxesFitTheImageCoverEightToHundredPercentAndKeepTheRatioRange() {
    Random random = new Random(1);
    Set<TrainAugmentation.Box> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      TrainAugmentation.Box b = TrainAugmentation.cropBox(200, 120, random);
      seen.add(b);
      assertThat(b.x()).isBetween(0, 200 - b.width());
      assertThat(b.y()).isBetween(0, 120 - b.height());
      double area = (double) b.width() * b.height() / (200 * 120);
      // rounding of each side moves the area by up to a side's length
      assertThat(area).isBetween(0.07, 1.0);
      double ratio = (double) b.width() / b.height();
      assertThat(ratio).isBetween(0.7, 1.4);
    }
    assertThat(seen.size()).as("boxes vary").isGreaterThan(1000);
  }

  @Test
  void anImageTooNarrowForTheRatioRangeFallsBackToItsCentredClampedBox() {
    // 10×1000: every random box of a 3/4..4/3 ratio and ≥ 8 % of the area is wider than 10 px
    TrainAugmentation.Box b = TrainAugmentation.cropBox(10, 1000, new Random(3));
    assertThat(b).isEqualTo(new TrainAugmentation.Box(0, 493, 10, 13));
  }

  @Test
  void sameRandomSameInputAndFlipMirrorsRows() {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        image.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | (x + y));
      }
    }
    TrainAugmentation augmentation = new TrainAugmentation(TrainingRun.preprocessing(32));
    float[] a = augmentation.apply(image, new Random(7));
    assertThat(a).hasSize(3 * 32 * 32).containsExactly(augmentation.apply(image, new Random(7)));
    assertThat(a).isNotEqualTo(augmentation.apply(image, new Random(8)));

    float[] planes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
    TrainAugmentation.flipHorizontally(planes, 3);
    assertThat(planes)
        .containsExactly(3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10, 15, 14, 13, 18, 17, 16);
  }
}
