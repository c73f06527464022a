package dev.pipit.index;

/**
 * Child process of {@link KernelFallbackTests}: prints the kernel an index reports, after one
 * search.
 */
public final class KernelProbe {

  private KernelProbe() {}

  public static void main(String[] args) throws Exception {
    try (HammingIndex index = HammingIndex.inMemory(IndexOptions.of(64, "probe"))) {
      index.add("a", Code.of(64, 5L), null);
      System.out.println(
          index.search(Code.of(64, 4L), 1).getFirst().distance()
              + " "
              + index.stats().search().kernel());
    }
  }
}
