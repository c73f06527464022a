package dev.pipit.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.model.HashingNetwork;
import dev.pipit.train.data.DatasetSplit;
import dev.pipit.train.eval.CodeSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Codes of a split's images through a whole network in inference mode (BatchNorm on running
 * statistics, not folded): how a run trained with {@link BackboneMode#FULL}, where no part of the
 * backbone can be cached, encodes queries and database for evaluation. Images are decoded batch by
 * batch.
 */
final class ImageCodes {

  private static final int BATCH = 32;

  private ImageCodes() {}

  /** The codes of every image of {@code split}, in index order. */
  static CodeSet of(
      HashingNetwork network, DatasetSplit split, ImagePreprocessor preprocessor, NDManager manager)
      throws IOException {
    int bits = network.bits();
    float[] all = new float[split.size() * bits];
    for (int start = 0; start < split.size(); start += BATCH) {
      int end = Math.min(split.size(), start + BATCH);
      List<float[]> images = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        images.add(preprocessor.apply(split.image(i)));
      }
      try (NDManager scope = manager.newSubManager()) {
        float[] u =
            network
                .serve(new ParameterStore(scope, false), preprocessor.stack(images, scope))
                .toFloatArray();
        System.arraycopy(u, 0, all, start * bits, u.length);
      }
    }
    return CodeSet.fromSigns(bits, all);
  }
}
