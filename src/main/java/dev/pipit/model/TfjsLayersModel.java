package dev.pipit.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a TensorFlow.js "layers-model" ({@code model.json} plus binary weight shards) into named
 * float tensors and per-layer configurations, without TensorFlow.
 *
 * <p>Format, as written by the TF.js converter:
 *
 * <pre>
 *   model.json = { "format": "layers-model",
 *                  "modelTopology": { "model_config": { "config": { "layers": [ {name, class_name, config}… ] } } },
 *                  "weightsManifest": [ group… ] }
 *   group      = { "paths": [shard file…], "weights": [ {name, shape, dtype} … ] }
 * </pre>
 *
 * A group's shards, concatenated in the listed order, hold its weights back to back in the listed
 * order, each {@code product(shape)} little-endian values of its dtype. Only {@code float32}
 * without quantisation is supported; anything else, a missing shard, or bytes left over or missing
 * is an error.
 */
public final class TfjsLayersModel {

  /**
   * One weight tensor in the source layout (Keras: conv kernels HWIO, dense kernels [in, out]).
   *
   * @param name source key, e.g. {@code res2a_branch2a/kernel}
   * @param shape source shape
   * @param data values, row-major in {@code shape}
   */
  public record Tensor(String name, long[] shape, float[] data) {}

  private final Map<String, Tensor> weights;
  private final Map<String, JsonObject> layerConfigs;

  private TfjsLayersModel(Map<String, Tensor> weights, Map<String, JsonObject> layerConfigs) {
    this.weights = Collections.unmodifiableMap(weights);
    this.layerConfigs = Collections.unmodifiableMap(layerConfigs);
  }

  /**
   * Reads {@code model.json} and the shards it names (looked up beside it).
   *
   * @throws IOException if a file cannot be read or the model is malformed or unsupported
   */
  public static TfjsLayersModel read(Path modelJson) throws IOException {
    JsonObject root;
    try (var reader = Files.newBufferedReader(modelJson)) {
      root = JsonParser.parseReader(reader).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException("not a JSON object: " + modelJson, e);
    }
    if (root.has("format") && !"layers-model".equals(root.get("format").getAsString())) {
      throw new IOException("unsupported TF.js format '" + root.get("format").getAsString() + "'");
    }
    Map<String, JsonObject> layers = new LinkedHashMap<>();
    JsonObject topology = root.getAsJsonObject("modelTopology");
    if (topology != null && topology.has("model_config")) {
      for (JsonElement layer :
          topology
              .getAsJsonObject("model_config")
              .getAsJsonObject("config")
              .getAsJsonArray("layers")) {
        JsonObject l = layer.getAsJsonObject();
        JsonObject config = l.getAsJsonObject("config").deepCopy();
        config.addProperty("class_name", l.get("class_name").getAsString());
        layers.put(l.get("name").getAsString(), config);
      }
    }
    JsonArray manifest = root.getAsJsonArray("weightsManifest");
    if (manifest == null) {
      throw new IOException("model.json has no weightsManifest: " + modelJson);
    }
    Map<String, Tensor> weights = new LinkedHashMap<>();
    Path dir = modelJson.toAbsolutePath().getParent();
    for (JsonElement groupElement : manifest) {
      readGroup(dir, groupElement.getAsJsonObject(), weights);
    }
    return new TfjsLayersModel(weights, layers);
  }

  private static void readGroup(Path dir, JsonObject group, Map<String, Tensor> out)
      throws IOException {
    long total = 0;
    for (JsonElement path : group.getAsJsonArray("paths")) {
      total += Files.size(dir.resolve(path.getAsString()));
    }
    if (total > Integer.MAX_VALUE) {
      throw new IOException("weight group larger than 2 GiB is not supported");
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    for (JsonElement path : group.getAsJsonArray("paths")) {
      try (InputStream in = Files.newInputStream(dir.resolve(path.getAsString()))) {
        bytes.put(in.readAllBytes());
      }
    }
    bytes.flip();
    for (JsonElement entry : group.getAsJsonArray("weights")) {
      JsonObject w = entry.getAsJsonObject();
      String name = w.get("name").getAsString();
      String dtype = w.has("dtype") ? w.get("dtype").getAsString() : "float32";
      if (!"float32".equals(dtype) || w.has("quantization")) {
        throw new IOException(
            "weight " + name + ": only unquantised float32 is supported, got " + dtype);
      }
      long[] shape = new long[w.getAsJsonArray("shape").size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = w.getAsJsonArray("shape").get(i).getAsLong();
        count *= shape[i];
      }
      if (count * Float.BYTES > bytes.remaining()) {
        throw new IOException(
            "weight " + name + " " + Arrays.toString(shape) + " runs past the end of its shards");
      }
      float[] data = new float[(int) count];
      bytes.asFloatBuffer().get(data);
      bytes.position(bytes.position() + data.length * Float.BYTES);
      if (out.put(name, new Tensor(name, shape, data)) != null) {
        throw new IOException("weight " + name + " is listed twice");
      }
    }
    if (bytes.hasRemaining()) {
      throw new IOException(
          bytes.remaining() + " bytes in the shards are not described by the manifest");
    }
  }

  /** Weights by source key, in manifest order. */
  public Map<String, Tensor> weights() {
    return weights;
  }

  /** Layer configurations by layer name ({@code class_name} added to each). */
  public Map<String, JsonObject> layerConfigs() {
    return layerConfigs;
  }
}
