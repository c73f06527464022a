package dev.pipit.model.compile;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive that libtorch's {@code torch::jit::load} accepts, holding one module
 * of a class defined in {@code code/__torch__.py} whose attributes are float32 tensors.
 *
 * <pre>
 *   archive/version            "3" (file format version: no operator upgraders apply to the ops used)
 *   archive/constants.pkl      pickle of ()
 *   archive/code/__torch__.py  class source (TorchScript)
 *   archive/data.pkl           pickle: __torch__.&lt;Class&gt;() with state {training: False, name: tensor, …}
 *   archive/data/&lt;i&gt;         raw little-endian float32 values of the i-th tensor
 * </pre>
 *
 * All entries are stored uncompressed.
 */
final class ScriptArchiveWriter {

  private static final String ROOT = "archive/";

  /** A tensor attribute: its values (row-major) and shape. */
  record Tensor(float[] values, long[] shape) {
    Tensor {
      long numel = 1;
      for (long d : shape) {
        numel *= d;
      }
      if (numel != values.length) {
        throw new IllegalArgumentException("shape does not match " + values.length + " values");
      }
    }
  }

  private ScriptArchiveWriter() {}

  /**
   * Writes the archive.
   *
   * @param file destination
   * @param className class defined in {@code source}, e.g. {@code PipitServing}
   * @param source TorchScript source of {@code code/__torch__.py}
   * @param attributes tensor attributes of the module in declaration order
   */
  static void write(Path file, String className, String source, Map<String, Tensor> attributes)
      throws IOException {
    PickleWriter data = new PickleWriter();
    data.global("__torch__", className).emptyTuple().newObj().emptyDict().mark();
    data.string("training").bool(false);
    int key = 0;
    for (Map.Entry<String, Tensor> a : attributes.entrySet()) {
      data.string(a.getKey()).floatTensor(Integer.toString(key++), a.getValue().shape());
    }
    data.setItems().build();
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      stored(zip, "version", "3\n".getBytes(StandardCharsets.US_ASCII));
      stored(zip, "constants.pkl", new PickleWriter().emptyTuple().finish());
      stored(zip, "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
      stored(zip, "data.pkl", data.finish());
      key = 0;
      for (Tensor t : attributes.values()) {
        stored(zip, "data/" + key++, littleEndian(t.values()));
      }
    }
  }

  private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(ROOT + name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(bytes.length);
    entry.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(bytes);
    zip.closeEntry();
  }

  private static byte[] littleEndian(float[] values) {
    ByteBuffer buffer =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return buffer.array();
  }
}
