package dev.pipit.encode;

/** How RGB samples in [0, 255] become network input. */
public enum Normalization {
  /**
   * Keras/Caffe ImageNet models: channels reordered to BGR, per-channel means [103.939, 116.779,
   * 123.68] (B, G, R) subtracted, no scaling. The shipped ResNet-50 weights expect this.
   */
  CAFFE_BGR,
  /**
   * torchvision ImageNet models: RGB, {@code (x/255 − mean)/std} with mean [0.485, 0.456, 0.406],
   * std [0.229, 0.224, 0.225].
   */
  IMAGENET_RGB;

  private static final float[] CAFFE_MEAN_BGR = {103.939f, 116.779f, 123.68f};
  private static final float[] TORCH_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] TORCH_STD = {0.229f, 0.224f, 0.225f};

  /**
   * Normalises one image in place: {@code planes} holds R, G and B planes of {@code n} samples each
   * (R at 0, G at n, B at 2n) and afterwards holds the network's channel order.
   */
  void apply(float[] planes, int n) {
    switch (this) {
      case CAFFE_BGR -> {
        for (int i = 0; i < n; i++) {
          float r = planes[i];
          planes[i] = planes[2 * n + i] - CAFFE_MEAN_BGR[0];
          planes[n + i] -= CAFFE_MEAN_BGR[1];
          planes[2 * n + i] = r - CAFFE_MEAN_BGR[2];
        }
      }
      case IMAGENET_RGB -> {
        for (int c = 0; c < 3; c++) {
          float scale = 1f / (255f * TORCH_STD[c]);
          float shift = TORCH_MEAN[c] / TORCH_STD[c];
          for (int i = c * n, end = i + n; i < end; i++) {
            planes[i] = planes[i] * scale - shift;
          }
        }
      }
    }
  }
}
