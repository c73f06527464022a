package dev.pipit.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal reader and writer of the safetensors format for float32 tensors: the exchange format with
 * PyTorch tooling (and what DJL's {@code NDList.decode} reads).
 *
 * <pre>
 *   file   = u64-le header length n · header (n bytes of UTF-8 JSON, space-padded) · data
 *   header = { name: { "dtype": "F32", "shape": [d…], "data_offsets": [begin, end] }, …,
 *              "__metadata__"?: {string: string} }
 *   data   = the tensors' little-endian values, offsets relative to the start of data
 * </pre>
 */
public final class Safetensors {

  /**
   * A float32 tensor.
   *
   * @param shape dimensions
   * @param data row-major values
   */
  public record Tensor(long[] shape, float[] data) {

    /** Validates that the data fills the shape. */
    public Tensor {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (n != data.length) {
        throw new IllegalArgumentException("shape holds " + n + " values, data has " + data.length);
      }
    }
  }

  private Safetensors() {}

  /** Writes {@code tensors} (in map order) to {@code file}. */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    JsonObject header = new JsonObject();
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      JsonObject t = new JsonObject();
      t.addProperty("dtype", "F32");
      JsonArray shape = new JsonArray();
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      t.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offset += (long) e.getValue().data().length * Float.BYTES;
      offsets.add(offset);
      t.add("data_offsets", offsets);
      header.add(e.getKey(), t);
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
      prefix.putLong(padded).put(json);
      while (prefix.hasRemaining()) {
        prefix.put((byte) ' ');
      }
      out.write(prefix.array());
      for (Tensor t : tensors.values()) {
        ByteBuffer buf =
            ByteBuffer.allocate(t.data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(t.data());
        out.write(buf.array());
      }
    }
  }

  /** Reads every tensor of {@code file}; only F32 is supported. */
  public static Map<String, Tensor> read(Path file) throws IOException {
    return read(file, null);
  }

  /**
   * Reads the F32 tensors of {@code file} and adds the names of the others (e.g. PyTorch's int64
   * {@code num_batches_tracked}) to {@code skipped}; with a null {@code skipped}, any other dtype
   * is an error.
   */
  public static Map<String, Tensor> read(Path file, List<String> skipped) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.remaining() < 8) {
      throw new IOException(file + ": too short for a safetensors file");
    }
    long n = bytes.getLong();
    if (n < 2 || n > bytes.remaining()) {
      throw new IOException(file + ": header length " + n + " does not fit the file");
    }
    byte[] json = new byte[(int) n];
    bytes.get(json);
    int dataStart = bytes.position();
    JsonObject header =
        JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      JsonObject t = e.getValue().getAsJsonObject();
      if (!"F32".equals(t.get("dtype").getAsString())) {
        if (skipped != null) {
          skipped.add(e.getKey());
          continue;
        }
        throw new IOException(e.getKey() + ": dtype " + t.get("dtype") + " is not supported");
      }
      JsonArray s = t.getAsJsonArray("shape");
      long[] shape = new long[s.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = s.get(i).getAsLong();
      }
      long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
      long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
      if (begin < 0
          || end < begin
          || dataStart + end > bytes.limit()
          || (end - begin) % Float.BYTES != 0) {
        throw new IOException(
            e.getKey() + ": data offsets [" + begin + ", " + end + ") out of range");
      }
      float[] data = new float[(int) ((end - begin) / Float.BYTES)];
      bytes
          .duplicate()
          .order(ByteOrder.LITTLE_ENDIAN)
          .position((int) (dataStart + begin))
          .asFloatBuffer()
          .get(data);
      out.put(e.getKey(), new Tensor(shape, data));
    }
    return out;
  }
}
