package dev.pipit.model.compile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Emits the protocol-2 pickle opcodes that a TorchScript {@code data.pkl} is made of: enough to
 * describe a module object whose state is a dict of booleans and tensors, each tensor a {@code
 * torch._utils._rebuild_tensor_v2} call over a storage referenced by persistent id. No memo: every
 * value is written where it is used.
 */
final class PickleWriter {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PickleWriter() {
    out.write(0x80); // PROTO
    out.write(2);
  }

  /** {@code GLOBAL module name}: pushes a class or function. */
  PickleWriter global(String module, String name) {
    out.write('c');
    ascii(module + "\n" + name + "\n");
    return this;
  }

  PickleWriter mark() {
    out.write('(');
    return this;
  }

  /** Pops to the last mark and pushes the items as a tuple. */
  PickleWriter tuple() {
    out.write('t');
    return this;
  }

  PickleWriter emptyTuple() {
    out.write(')');
    return this;
  }

  PickleWriter emptyDict() {
    out.write('}');
    return this;
  }

  PickleWriter emptyList() {
    out.write(']');
    return this;
  }

  /** Appends the items since the last mark to the list below the mark. */
  PickleWriter appends() {
    out.write('e');
    return this;
  }

  /** Stores the key/value pairs since the last mark into the dict below the mark. */
  PickleWriter setItems() {
    out.write('u');
    return this;
  }

  /** {@code cls()} for the class and empty argument tuple on the stack. */
  PickleWriter newObj() {
    out.write(0x81);
    return this;
  }

  /** Calls the callable below the top with the argument tuple on top. */
  PickleWriter reduce() {
    out.write('R');
    return this;
  }

  /** Sets the state on top into the object below it. */
  PickleWriter build() {
    out.write('b');
    return this;
  }

  /** Resolves the tuple on top through the unpickler's persistent-id hook. */
  PickleWriter persistentId() {
    out.write('Q');
    return this;
  }

  PickleWriter bool(boolean value) {
    out.write(value ? 0x88 : 0x89);
    return this;
  }

  PickleWriter none() {
    out.write('N');
    return this;
  }

  PickleWriter integer(long value) {
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("integer out of 32-bit range: " + value);
    }
    out.write('J');
    int v = (int) value;
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
    return this;
  }

  PickleWriter string(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.write('X');
    int n = utf8.length;
    out.write(n);
    out.write(n >>> 8);
    out.write(n >>> 16);
    out.write(n >>> 24);
    out.writeBytes(utf8);
    return this;
  }

  /**
   * A contiguous float32 CPU tensor over the storage {@code key}: {@code
   * _rebuild_tensor_v2((storage), 0, shape, strides, False, OrderedDict())}.
   */
  PickleWriter floatTensor(String key, long[] shape) {
    long numel = 1;
    for (long d : shape) {
      numel *= d;
    }
    global("torch._utils", "_rebuild_tensor_v2").mark();
    mark()
        .string("storage")
        .global("torch", "FloatStorage")
        .string(key)
        .string("cpu")
        .integer(numel)
        .tuple();
    persistentId();
    integer(0);
    mark();
    for (long d : shape) {
      integer(d);
    }
    tuple();
    mark();
    long stride = numel;
    for (long d : shape) {
      stride = d == 0 ? 0 : stride / d;
      integer(stride);
    }
    tuple();
    bool(false);
    global("collections", "OrderedDict").emptyTuple().reduce();
    return tuple().reduce();
  }

  /** Ends the pickle and returns its bytes. */
  byte[] finish() {
    out.write('.');
    return out.toByteArray();
  }

  private void ascii(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }
}
