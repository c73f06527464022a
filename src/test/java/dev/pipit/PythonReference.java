package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the test-only Python references in {@code src/test/python} with Debian's {@code
 * python3-torch} ({@code /usr/bin/python3}, installed by {@code bin/fetch-assets}), and reads the
 * raw float32 files they exchange with the Java side.
 */
public final class PythonReference {

  /**
   * The interpreter that has Debian's torch; not the pyenv {@code python3} that may be first on
   * PATH.
   */
  public static final Path PYTHON = Path.of("/usr/bin/python3");

  private PythonReference() {}

  /**
   * Runs {@code src/test/python/<script>} with {@code args}; fails the test with its output on
   * error.
   */
  public static String run(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "src/test/python/" + script));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(finished).as("%s finished; output:%n%s", script, output).isTrue();
    assertThat(process.exitValue()).as("%s exit code; output:%n%s", script, output).isZero();
    return output;
  }

  /** Reads a little-endian float32 file. */
  public static float[] readFloats(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(values);
    return values;
  }

  /** Writes a little-endian float32 file. */
  public static void writeFloats(Path file, float[] values) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    Files.write(file, bytes.array());
  }
}
