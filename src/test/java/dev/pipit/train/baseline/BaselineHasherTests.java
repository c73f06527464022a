package dev.pipit.train.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.index.Code;
import dev.pipit.model.LinearHasher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.assertj.core.data.Offset;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class BaselineHasherTests {

  /** n points around `classes` random centres in d dimensions; label = centre index. */
  static float[][] clustered(int n, int d, int classes, double noise, long seed, int[] labels) {
    Random random = new Random(seed);
    float[][] centres = new float[classes][d];
    for (float[] c : centres) {
      for (int i = 0; i < d; i++) {
        c[i] = (float) random.nextGaussian() * 3f + 5f; // offset: centring must matter
      }
    }
    float[][] x = new float[n][d];
    for (int r = 0; r < n; r++) {
      labels[r] = r % classes;
      for (int i = 0; i < d; i++) {
        x[r][i] = centres[labels[r]][i] + (float) (random.nextGaussian() * noise);
      }
    }
    return x;
  }

  static double meanDistance(LinearHasher h, float[][] x, int[] labels, boolean sameClass) {
    Code[] codes = new Code[x.length];
    for (int i = 0; i < x.length; i++) {
      codes[i] = Code.fromSigns(h.project(x[i]));
    }
    long sum = 0;
    long pairs = 0;
    for (int i = 0; i < x.length; i++) {
      for (int j = i + 1; j < x.length; j++) {
        if ((labels[i] == labels[j]) == sameClass) {
          sum += codes[i].distance(codes[j]);
          pairs++;
        }
      }
    }
    return (double) sum / pairs;
  }

  @Test
  void lshIsReproducibleAndSeparatesClusters() {
    int[] labels = new int[200];
    float[][] x = clustered(200, 32, 5, 0.5, 1, labels);
    LinearHasher a = Lsh.fit(x, 32, 7);
    LinearHasher b = Lsh.fit(x, 32, 7);

    assertThat(a.projection()).containsExactly(b.projection());
    assertThat(Code.fromSigns(a.project(x[3]))).isEqualTo(Code.fromSigns(b.project(x[3])));
    assertThat(meanDistance(a, x, labels, true)).isLessThan(meanDistance(a, x, labels, false) / 2);
  }

  @Test
  void itqProjectionIsOrthonormalAndLowersTheQuantisationLoss() {
    int[] labels = new int[300];
    float[][] x = clustered(300, 24, 6, 1.0, 2, labels);
    LinearHasher start = Itq.fit(x, 8, 0, 5); // PCA + random rotation only
    LinearHasher fitted = Itq.fit(x, 8, 50, 5);

    assertThat(Itq.quantisationLoss(fitted, x)).isLessThan(Itq.quantisationLoss(start, x));
    float[] p = fitted.projection();
    for (int k = 0; k < 8; k++) {
      for (int l = 0; l < 8; l++) {
        double dot = 0;
        for (int i = 0; i < 24; i++) {
          dot += p[i * 8 + k] * p[i * 8 + l];
        }
        assertThat(dot).isCloseTo(k == l ? 1 : 0, Offset.offset(1e-4));
      }
    }
    assertThat(meanDistance(fitted, x, labels, true))
        .isLessThan(meanDistance(fitted, x, labels, false));
  }

  @Test
  void itqSeparatesClassesBetterThanLshAtShortCodes() {
    int[] labels = new int[400];
    float[][] x = clustered(400, 64, 8, 2.5, 3, labels);
    LinearHasher lsh = Lsh.fit(x, 8, 11);
    LinearHasher itq = Itq.fit(x, 8, 50, 11);

    double lshRatio = meanDistance(lsh, x, labels, true) / meanDistance(lsh, x, labels, false);
    double itqRatio = meanDistance(itq, x, labels, true) / meanDistance(itq, x, labels, false);
    assertThat(itqRatio).isLessThan(lshRatio);
  }

  @Test
  void storedFormRoundTripsAndRejectsOtherFiles() throws IOException {
    int[] labels = new int[50];
    LinearHasher hasher = Itq.fit(clustered(50, 16, 3, 1, 4, labels), 12, 10, 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    hasher.write(out);
    LinearHasher read = LinearHasher.read(new ByteArrayInputStream(out.toByteArray()));

    assertThat(read.mean()).containsExactly(hasher.mean());
    assertThat(read.projection()).containsExactly(hasher.projection());
    assertThat(read.bits()).isEqualTo(12);
    assertThatThrownBy(
            () -> LinearHasher.read(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad magic");
    assertThatThrownBy(() -> Itq.fit(new float[][] {{1, 2}}, 3, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gramAndCovariancePcaFindTheSameComponents() {
    Random random = new Random(3);
    DMatrixRMaj x = new DMatrixRMaj(12, 30);
    for (int r = 0; r < 12; r++) {
      for (int i = 0; i < 30; i++) {
        x.set(r, i, random.nextGaussian() * (1 + (i % 5)));
      }
    }
    DMatrixRMaj a = Itq.topPrincipalComponentsByCovariance(x, 4);
    DMatrixRMaj b = Itq.topPrincipalComponentsByGram(x, 4);
    for (int k = 0; k < 4; k++) {
      double dot = 0;
      for (int i = 0; i < 30; i++) {
        dot += a.get(i, k) * b.get(i, k);
      }
      Assertions.assertThat(Math.abs(dot)).isCloseTo(1.0, Assertions.within(1e-9));
    }
  }
}
