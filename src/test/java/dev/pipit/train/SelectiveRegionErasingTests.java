package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SelectiveRegionErasingTests {

  @Test
  void upsamplingMatchesPyTorchBilinearWithoutAlignedCorners() {
    // torch.nn.functional.interpolate(tensor([[[[0,1],[2,3]]]]), size=(4,4), mode="bilinear")
    float[] expected = {
      0f, 0.25f, 0.75f, 1f,
      0.5f, 0.75f, 1.25f, 1.5f,
      1.5f, 1.75f, 2.25f, 2.5f,
      2f, 2.25f, 2.75f, 3f
    };

    assertThat(SelectiveRegionErasing.upsampleBilinear(new float[] {0, 1, 2, 3}, 2, 2, 4, 4))
        .containsExactly(expected, Offset.offset(1e-6f));
  }

  @Test
  void theHottestPixelAnchorsASquareAtItsTopLeft() {
    // Two channels whose mean is hottest at feature cell (1, 0): bottom-left quarter of an 8×8
    // image.
    float[] features = {
      0, 0, 4, 0, // channel 0
      0, 2, 6, 0 // channel 1; mean = [0, 1, 5, 0]
    };
    float[] mask = new SelectiveRegionErasing(1, 3).mask(features, 2, 2, 2, 8, 8);

    // Upsampled, the plateau of value 5 covers rows 6-7 × cols 0-1; with ties broken by position
    // the
    // first is (6, 0), so the 3×3 square from (6, 0) is erased, clipped at the bottom edge.
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        boolean erased = y >= 6 && x < 3;
        assertThat(mask[y * 8 + x]).as("pixel (%d, %d)", y, x).isEqualTo(erased ? 0f : 1f);
      }
    }
  }

  @Test
  void adjacentHotPixelsGiveOverlappingSquares() {
    // A single hot feature cell in the centre of a 3×3 map, image 9×9: the hottest pixels form a
    // plateau
    // at rows 3-5, cols 3-5 after upsampling (scale 3, centre cell).
    float[] features = new float[9];
    features[4] = 1f;
    float[] mask = new SelectiveRegionErasing(3, 2).mask(features, 1, 3, 3, 9, 9);

    // The top three are the single peak (4,4) then its ties in position order; count erased pixels.
    int erased = 0;
    for (float m : mask) {
      erased += m == 0f ? 1 : 0;
    }
    assertThat(erased).isLessThan(3 * 4); // the 2×2 squares overlap
    assertThat(mask[4 * 9 + 4]).isZero();
  }

  @Test
  void zeroRegionsEraseNothingAndApplyZeroesEveryChannel() {
    float[] features = {1, 2, 3, 4};
    assertThat(new SelectiveRegionErasing(0, 32).mask(features, 1, 2, 2, 4, 4)).containsOnly(1f);

    float[] image = {1, 2, 3, 4, 5, 6};
    SelectiveRegionErasing.apply(image, 2, new float[] {1, 0, 1});
    assertThat(image).containsExactly(1, 0, 3, 4, 0, 6);
  }

  @Test
  void normalisationMapsToTheUnitInterval() {
    assertThat(SelectiveRegionErasing.normalise(new float[] {2, 4, 6}))
        .containsExactly(new float[] {0f, 0.5f, 1f}, Offset.offset(1e-6f));
  }
}
