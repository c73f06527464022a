import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Run once while an image is built: loading the PyTorch engine extracts libtorch from its Maven jar
 * into DJL_CACHE_DIR, so containers start without writing there (read-only root filesystem) and
 * without any download.
 */
public final class WarmEngine {
  public static void main(String[] args) {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager manager = engine.newBaseManager()) {
      System.out.println(
          "libtorch " + engine.getVersion() + " ready: " + manager.ones(new Shape(2)).sum());
    }
  }
}
