package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Resize, crop and normalisation on images small enough to check by hand. */
class ImagePreprocessorTests {

  private static BufferedImage image(int w, int h, int[] gray) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < gray.length; i++) {
      int g = gray[i];
      image.setRGB(i % w, i / w, g << 16 | g << 8 | g);
    }
    return image;
  }

  private static Preprocessing square(int size, Resampling r, Normalization n) {
    return new Preprocessing(Preprocessing.ResizeMode.SQUARE, size, size, n, r);
  }

  @Test
  void areaDownscaleIsTheBlockMean() {
    BufferedImage img =
        image(
            4,
            4,
            new int[] {
              0, 100, 200, 200,
              100, 100, 0, 40,
              10, 20, 30, 40,
              50, 60, 70, 80
            });
    float[] out =
        new ImagePreprocessor(square(2, Resampling.AREA, Normalization.CAFFE_BGR)).apply(img);
    float[] expected = {75, 110, 35, 55};
    for (int c = 0; c < 3; c++) {
      float mean = c == 0 ? 103.939f : c == 1 ? 116.779f : 123.68f;
      for (int i = 0; i < 4; i++) {
        assertThat(out[c * 4 + i]).isCloseTo(expected[i] - mean, within(1e-3f));
      }
    }
  }

  @Test
  void bilinearAndAntialiasAgreeWhenEnlargingAndUseHalfPixelCentres() {
    BufferedImage img = image(2, 1, new int[] {0, 100});
    Preprocessing.ResizeMode mode = Preprocessing.ResizeMode.SQUARE;
    for (Resampling r : Resampling.values()) {
      float[] out =
          new ImagePreprocessor(new Preprocessing(mode, 4, 4, Normalization.IMAGENET_RGB, r))
              .apply(img);
      // Row 0, red channel back to [0, 255]: source x = (i + 0.5)/2 − 0.5 → −0.25, 0.25, 0.75, 1.25
      // (clamped)
      float[] expected = {0, 25, 75, 100};
      for (int i = 0; i < 4; i++) {
        float sample = (out[i] * 0.229f + 0.485f) * 255f;
        assertThat(sample).as(r + " x=" + i).isCloseTo(expected[i], within(1e-3f));
      }
    }
  }

  @Test
  void antialiasAveragesWhereBilinearSkips() {
    int[] stripes = new int[8];
    for (int i = 0; i < 8; i++) {
      stripes[i] = i % 2 == 0 ? 0 : 200;
    }
    BufferedImage img = image(8, 1, stripes);
    Preprocessing.ResizeMode mode = Preprocessing.ResizeMode.SQUARE;
    float[] aa =
        new ImagePreprocessor(
                new Preprocessing(
                    mode, 2, 2, Normalization.CAFFE_BGR, Resampling.BILINEAR_ANTIALIAS))
            .apply(img);
    float[] plain =
        new ImagePreprocessor(
                new Preprocessing(mode, 2, 2, Normalization.CAFFE_BGR, Resampling.BILINEAR))
            .apply(img);
    // Anti-aliased: close to the mean 100. Plain bilinear samples between x = 1.5 and 5.5 → 100 too
    // by
    // symmetry, so use the first output's deviation from the mean over a 4:1 shrink.
    assertThat(aa[0] + 103.939f).isCloseTo(100f, within(15f));
    assertThat(plain[0] + 103.939f).isCloseTo(100f, within(0.01f));
  }

  @Test
  void shorterSideResizeKeepsAspectAndCentreCropsWithPythonRounding() {
    // 6×2 image, shorter side → 2 (no resize), crop 1: x0 = rint((6 − 1)/2) = rint(2.5) = 2, y0 =
    // rint(0.5) = 0
    int[] px = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110};
    BufferedImage img = image(6, 2, px);
    float[] out =
        new ImagePreprocessor(
                new Preprocessing(
                    Preprocessing.ResizeMode.SHORTER_SIDE,
                    2,
                    1,
                    Normalization.CAFFE_BGR,
                    Resampling.BILINEAR))
            .apply(img);
    assertThat(out[0] + 103.939f).isCloseTo(20f, within(1e-3f));
  }

  @Test
  void caffeNormalisationIsBgrMinusMeans() {
    BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 10 << 16 | 20 << 8 | 30);
    float[] out =
        new ImagePreprocessor(square(1, Resampling.AREA, Normalization.CAFFE_BGR)).apply(img);
    assertThat(out).containsExactly(30 - 103.939f, 20 - 116.779f, 10 - 123.68f);
    float[] torch =
        new ImagePreprocessor(square(1, Resampling.AREA, Normalization.IMAGENET_RGB)).apply(img);
    assertThat(torch[0]).isCloseTo((10 / 255f - 0.485f) / 0.229f, within(1e-5f));
    assertThat(torch[2]).isCloseTo((30 / 255f - 0.406f) / 0.225f, within(1e-5f));
  }

  @Test
  void stackBuildsABatchInTheGivenManager() {
    ImagePreprocessor pre =
        new ImagePreprocessor(square(2, Resampling.AREA, Normalization.CAFFE_BGR));
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray batch = pre.stack(List.of(new float[12], new float[12]), manager);
      assertThat(batch.getShape()).isEqualTo(new Shape(2, 3, 2, 2));
      assertThat(batch.getManager()).isSameAs(manager);
      assertThatThrownBy(() -> pre.stack(List.of(new float[5]), manager))
          .hasMessageContaining("expected 12");
    }
  }

  @Test
  void specIsValidated() {
    assertThatThrownBy(
            () ->
                new Preprocessing(
                    Preprocessing.ResizeMode.SQUARE,
                    100,
                    224,
                    Normalization.CAFFE_BGR,
                    Resampling.AREA))
        .hasMessageContaining("crop <= resize");
    assertThat(Preprocessing.kerasResNet50().floatsPerImage()).isEqualTo(3 * 224 * 224);
  }
}
