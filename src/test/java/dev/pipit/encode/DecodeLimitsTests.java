package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.encode.jpeg.JpegDecoder;
import dev.pipit.encode.jpeg.JpegException;
import org.junit.jupiter.api.Test;

/** The scan and work limits of JPEG decoding, on generated scan bombs and pixel bombs. */
class DecodeLimitsTests {

  private static final byte[] PROGRESSIVE = ScanBombs.progressive(256, 192);

  @Test
  void countsScansWithoutDecoding() {
    int scans = JpegDecoder.countScans(PROGRESSIVE);
    assertThat(scans).as("the JDK writes libjpeg's progressive script").isEqualTo(10);
    assertThat(JpegDecoder.countScans(ScanBombs.repeatFirstScan(PROGRESSIVE, 500)))
        .isEqualTo(scans + 500);
    assertThat(JpegDecoder.countScans(ScanBombs.baseline(64, 64))).isEqualTo(1);
  }

  @Test
  void aScanBombIsAValidFileThatTheScanLimitRefusesBeforeDecoding() {
    byte[] bomb = ScanBombs.repeatFirstScan(PROGRESSIVE, 2_000);
    assertThat((bomb.length - PROGRESSIVE.length) / 2_000)
        .as("bytes per extra scan, each a full pass over the image")
        .isLessThan(1_024);
    // Without limits it decodes (so the limit, not corruption, is what refuses it) ...
    assertThat(JpegDecoder.decode(bomb).width()).isEqualTo(256);
    // ... with the default limits it is refused from a marker walk, at once.
    ImageDecoder decoder = ImageDecoder.withDefaults();
    long start = System.nanoTime();
    assertThatThrownBy(() -> decoder.decode(bomb))
        .isInstanceOfSatisfying(
            ImageDecodeException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.TOO_MANY_SCANS);
              assertThat(e.getMessage()).contains("2010 scans", "limit of 64");
            });
    assertThat((System.nanoTime() - start) / 1e6).as("ms to refuse").isLessThan(500);
  }

  @Test
  void theScanLimitAllowsUsualProgressiveFiles() {
    ImageDecoder decoder = new ImageDecoder(1 << 20, 1_000_000, 10, Long.MAX_VALUE);
    assertThat(decoder.decode(PROGRESSIVE).image().getWidth()).isEqualTo(256);
    assertThatThrownBy(
            () -> new ImageDecoder(1 << 20, 1_000_000, 9, Long.MAX_VALUE).decode(PROGRESSIVE))
        .isInstanceOfSatisfying(
            ImageDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.TOO_MANY_SCANS));
  }

  @Test
  void theWorkLimitStopsBeforeTheScanThatWouldExceedIt() {
    // 256×192, three components, no subsampling by the JDK writer's default? Whatever the
    // sampling, the first (DC) scan of all components costs at least 256×192 coefficients.
    byte[] bomb = ScanBombs.repeatFirstScan(PROGRESSIVE, 40);
    long oneDcScan = 256L * 192;
    ImageDecoder decoder = new ImageDecoder(1 << 20, 1_000_000, 1_000, oneDcScan * 3 * 20);
    assertThatThrownBy(() -> decoder.decode(bomb))
        .isInstanceOfSatisfying(
            ImageDecodeException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.TOO_MUCH_WORK);
              assertThat(e.getMessage()).contains("coefficients", "the limit");
            });
    assertThatThrownBy(
            () -> JpegDecoder.decode(bomb, new JpegDecoder.Limits(1_000, oneDcScan * 3 * 20)))
        .isInstanceOfSatisfying(
            JpegException.class, e -> assertThat(e.kind()).isEqualTo(JpegException.Kind.LIMIT));
    // The same file within a larger budget decodes.
    assertThat(new ImageDecoder(1 << 20, 1_000_000, 1_000, Long.MAX_VALUE).decode(bomb).image())
        .isNotNull();
  }

  @Test
  void aPixelBombIsRefusedFromItsHeader() {
    byte[] bomb = ScanBombs.declaring(ScanBombs.progressive(64, 64), 60_000, 60_000);
    ImageDecoder.withDefaults().decode(ScanBombs.baseline(16, 16)); // class loading out of the way
    long start = System.nanoTime();
    assertThatThrownBy(() -> ImageDecoder.withDefaults().decode(bomb))
        .isInstanceOfSatisfying(
            ImageDecodeException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.TOO_MANY_PIXELS);
              assertThat(e.getMessage()).contains("60000×60000");
            });
    assertThat((System.nanoTime() - start) / 1e6).as("ms to refuse").isLessThan(500);
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> new JpegDecoder.Limits(0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImageDecoder(1, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
