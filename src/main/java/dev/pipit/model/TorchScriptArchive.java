package dev.pipit.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads every tensor of a TorchScript archive ({@code torch.jit.save}) by its state-dict name —
 * parameters <em>and</em> buffers such as BatchNorm running statistics, which the engine's module
 * API does not expose. Pure Java: the archive is a zip whose {@code <name>/data.pkl} pickles the
 * module tree (protocol 2), each tensor a {@code torch._utils._rebuild_tensor_v2} call over a
 * storage that lives in {@code <name>/data/<key>} as raw little-endian values.
 *
 * <p>Only the pickle opcodes that {@code torch.jit.save} emits are understood; anything else is
 * refused with the opcode named. Only float32 tensors are returned; others (e.g. {@code
 * num_batches_tracked}) are listed in {@link Contents#skipped()}.
 */
public final class TorchScriptArchive {

  /**
   * What an archive holds.
   *
   * @param tensors float32 tensors by dotted name ({@code backbone.layer1.0.conv1.weight})
   * @param skipped names of tensors of other types
   */
  public record Contents(Map<String, Safetensors.Tensor> tensors, List<String> skipped) {}

  private TorchScriptArchive() {}

  /**
   * Reads the tensors of an archive.
   *
   * @throws ModelArtifactException if the file is not a TorchScript archive or uses unknown pickle
   *     features
   */
  public static Contents read(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry pickle =
          zip.stream()
              .filter(
                  e ->
                      e.getName().endsWith("/data.pkl")
                          && e.getName().indexOf('/') == e.getName().lastIndexOf('/'))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ModelArtifactException(
                          file + " has no data.pkl: not a TorchScript archive"));
      String prefix = pickle.getName().substring(0, pickle.getName().indexOf('/') + 1);
      Object root;
      try (InputStream in = zip.getInputStream(pickle)) {
        root = new Unpickler(in.readAllBytes(), key -> storage(zip, prefix, key)).load();
      }
      Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
      List<String> skipped = new ArrayList<>();
      flatten("", root, tensors, skipped);
      return new Contents(tensors, skipped);
    } catch (ZipException e) {
      throw new ModelArtifactException(
          file + " is not a TorchScript archive: " + e.getMessage(), e);
    }
  }

  private static byte[] storage(ZipFile zip, String prefix, String key) {
    ZipEntry entry = zip.getEntry(prefix + "data/" + key);
    if (entry == null) {
      throw new ModelArtifactException("TorchScript archive lacks storage data/" + key);
    }
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ModelArtifactException("cannot read storage data/" + key, e);
    }
  }

  /** Walks module objects (attribute maps) and collects tensors under their dotted paths. */
  private static void flatten(
      String path, Object value, Map<String, Safetensors.Tensor> out, List<String> skipped) {
    if (value instanceof PickledTensor t) {
      if (t.tensor() != null) {
        out.put(path, t.tensor());
      } else {
        skipped.add(path);
      }
    } else if (value instanceof PickledObject o) {
      o.attributes()
          .forEach(
              (name, v) -> flatten(path.isEmpty() ? name : path + "." + name, v, out, skipped));
    }
  }

  /** A module instance: its class and the attribute dict BUILD gave it. */
  record PickledObject(String type, Map<String, Object> attributes) {}

  /** A rebuilt tensor; {@code tensor} is null for non-float32 storage. */
  record PickledTensor(Safetensors.Tensor tensor) {}

  /** A storage reference from BINPERSID: ('storage', type, key, location, numel). */
  record Storage(String type, String key, long numel) {}

  /** A global name pushed by GLOBAL, applied by REDUCE or NEWOBJ. */
  record Global(String name) {}

  /** The minimal pickle machine for torch.jit.save's data.pkl. */
  private static final class Unpickler {
    private static final Object MARK = new Object();
    private final ByteBuffer in;
    private final Function<String, byte[]> storages;
    private final Deque<Object> stack = new ArrayDeque<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    Unpickler(byte[] data, Function<String, byte[]> storages) {
      this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      this.storages = storages;
    }

    Object load() {
      while (true) {
        int op = in.get() & 0xff;
        switch (op) {
          case 0x80 -> in.get(); // PROTO
          case 0x95 -> in.getLong(); // FRAME
          case 'c' -> stack.push(new Global(line() + " " + line())); // GLOBAL
          case 'q' -> memo.put(in.get() & 0xff, stack.peek()); // BINPUT
          case 'r' -> memo.put(in.getInt(), stack.peek()); // LONG_BINPUT
          case 0x94 -> memo.put(memo.size(), stack.peek()); // MEMOIZE
          case 'h' -> stack.push(memo.get(in.get() & 0xff)); // BINGET
          case 'j' -> stack.push(memo.get(in.getInt())); // LONG_BINGET
          case '(' -> marks.push(stack.size()); // MARK
          case ')' -> stack.push(List.of()); // EMPTY_TUPLE
          case 't' -> stack.push(popToMark()); // TUPLE
          case 0x85 -> stack.push(List.of(stack.pop())); // TUPLE1
          case 0x86 -> {
            Object b = stack.pop();
            stack.push(List.of(stack.pop(), b));
          } // TUPLE2
          case 0x87 -> {
            Object c = stack.pop();
            Object b = stack.pop();
            stack.push(List.of(stack.pop(), b, c));
          }
          case '}' -> stack.push(new LinkedHashMap<String, Object>()); // EMPTY_DICT
          case ']' -> stack.push(new ArrayList<>()); // EMPTY_LIST
          case 'u' -> setItems(popToMark()); // SETITEMS
          case 's' -> {
            Object v = stack.pop();
            Object k = stack.pop();
            dict().put((String) k, v);
          } // SETITEM
          case 'e' -> {
            List<Object> items = popToMark();
            list().addAll(items);
          } // APPENDS
          case 'a' -> {
            Object v = stack.pop();
            list().add(v);
          } // APPEND
          case 'X' -> stack.push(text(in.getInt())); // BINUNICODE
          case 0x8c -> stack.push(text(in.get() & 0xff)); // SHORT_BINUNICODE
          case 'J' -> stack.push((long) in.getInt()); // BININT
          case 'K' -> stack.push((long) (in.get() & 0xff)); // BININT1
          case 'M' -> stack.push((long) (in.getShort() & 0xffff)); // BININT2
          case 0x8a -> stack.push(long1()); // LONG1
          case 'G' -> stack.push(in.order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
          case 0x88 -> stack.push(Boolean.TRUE); // NEWTRUE
          case 0x89 -> stack.push(Boolean.FALSE); // NEWFALSE
          case 'N' -> stack.push(NONE); // NONE
          case 'Q' -> stack.push(persistent(stack.pop())); // BINPERSID
          case 'R' -> {
            Object args = stack.pop();
            stack.push(reduce((Global) stack.pop(), (List<?>) args));
          }
          case 0x81 -> {
            stack.pop();
            stack.push(new PickledObject(((Global) stack.pop()).name(), new LinkedHashMap<>()));
          }
          case 'b' -> build(); // BUILD
          case '.' -> {
            return stack.pop();
          } // STOP
          default ->
              throw new ModelArtifactException(
                  String.format(
                      "TorchScript data.pkl uses pickle opcode 0x%02x, which pipit does not read",
                      op));
        }
        in.order(ByteOrder.LITTLE_ENDIAN);
      }
    }

    private static final Object NONE = new Object();

    private String line() {
      StringBuilder s = new StringBuilder();
      for (byte b; (b = in.get()) != '\n'; ) {
        s.append((char) b);
      }
      return s.toString();
    }

    private String text(int length) {
      byte[] bytes = new byte[length];
      in.get(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }

    private long long1() {
      int n = in.get() & 0xff;
      long value = 0;
      for (int i = 0; i < n; i++) {
        value |= (long) (in.get() & 0xff) << (8 * i);
      }
      return n > 0 && n < 8 && (value >> (8 * n - 1) & 1) == 1 ? value - (1L << (8 * n)) : value;
    }

    private List<Object> popToMark() {
      int mark = marks.pop();
      List<Object> items = new ArrayList<>();
      while (stack.size() > mark) {
        items.addFirst(stack.pop());
      }
      return items;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> dict() {
      return (Map<String, Object>) stack.peek();
    }

    @SuppressWarnings("unchecked")
    private List<Object> list() {
      return (List<Object>) stack.peek();
    }

    private void setItems(List<Object> items) {
      Map<String, Object> target = dict();
      for (int i = 0; i + 1 < items.size(); i += 2) {
        target.put(String.valueOf(items.get(i)), items.get(i + 1));
      }
    }

    private Object persistent(Object id) {
      List<?> t = (List<?>) id;
      return new Storage(((Global) t.get(1)).name(), (String) t.get(2), (Long) t.get(4));
    }

    private Object reduce(Global callable, List<?> args) {
      return switch (callable.name()) {
        case "torch._utils _rebuild_tensor_v2" -> tensor(args);
        case "collections OrderedDict" -> new LinkedHashMap<String, Object>();
        default -> new PickledObject(callable.name(), new LinkedHashMap<>());
      };
    }

    @SuppressWarnings("unchecked")
    private void build() {
      Object state = stack.pop();
      Object target = stack.peek();
      if (target instanceof PickledObject o && state instanceof Map<?, ?> m) {
        o.attributes().putAll((Map<String, Object>) m);
      }
    }

    /**
     * _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks) for contiguous
     * tensors.
     */
    private PickledTensor tensor(List<?> args) {
      Storage storage = (Storage) args.get(0);
      if (!storage.type().equals("torch FloatStorage")) {
        return new PickledTensor(null);
      }
      long offset = (Long) args.get(1);
      List<?> size = (List<?>) args.get(2);
      long[] shape = new long[size.size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = (Long) size.get(i);
        count *= shape[i];
      }
      List<?> stride = (List<?>) args.get(3);
      long expected = 1;
      for (int i = shape.length - 1; i >= 0; i--) {
        if (shape[i] != 1 && (Long) stride.get(i) != expected) {
          throw new ModelArtifactException(
              "tensor with non-contiguous strides " + stride + " in TorchScript archive");
        }
        expected *= shape[i];
      }
      ByteBuffer bytes =
          ByteBuffer.wrap(storages.apply(storage.key())).order(ByteOrder.LITTLE_ENDIAN);
      float[] data = new float[(int) count];
      bytes.position((int) (offset * 4));
      bytes.asFloatBuffer().get(data);
      return new PickledTensor(new Safetensors.Tensor(shape, data));
    }
  }
}
