package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The training data pipeline: ordered, the same images for a seed whatever the worker count,
 * bounded, errors surface on the taking thread, and close stops the workers.
 */
class ParallelBatchesTests {

  /** A stand-in for decode + augmentation: uneven work, output drawn from the image's seed. */
  static float[] fakeImage(int item, long seed) throws InterruptedException {
    Random r = new Random(seed);
    Thread.sleep(r.nextInt(3));
    return new float[] {item, r.nextFloat(), r.nextFloat()};
  }

  static List<float[][]> run(int workers, int prefetch) throws Exception {
    List<float[][]> out = new ArrayList<>();
    Random seeds = new Random(7);
    try (ParallelBatches p =
        new ParallelBatches(ParallelBatchesTests::fakeImage, workers, prefetch)) {
      int next = 0;
      for (int b = 0; b < 12; b++) {
        while (p.hasRoom() && next < 12) {
          int[] items = {next * 5, next * 5 + 1, next * 5 + 2, next * 5 + 3};
          p.submit(items, seeds.nextLong());
          next++;
        }
        out.add(p.next());
      }
    }
    return out;
  }

  @Test
  void batchesComeInOrderAndDependOnTheSeedOnlyNotOnTheWorkers() throws Exception {
    List<float[][]> one = run(1, 1);
    for (int b = 0; b < one.size(); b++) {
      for (int i = 0; i < 4; i++) {
        assertThat(one.get(b)[i][0]).isEqualTo(b * 5 + i);
      }
    }
    for (int workers : new int[] {2, 4}) {
      List<float[][]> many = run(workers, 3);
      for (int b = 0; b < one.size(); b++) {
        assertThat(many.get(b))
            .as("batch %d with %d workers", b, workers)
            .isDeepEqualTo(one.get(b));
      }
    }
    assertThat(one.get(0)[0][1]).as("images get distinct streams").isNotEqualTo(one.get(0)[1][1]);
  }

  @Test
  void atMostPrefetchBatchesAreInFlight() throws Exception {
    try (ParallelBatches p = new ParallelBatches(ParallelBatchesTests::fakeImage, 2, 2)) {
      p.submit(new int[] {1}, 1);
      p.submit(new int[] {2}, 2);
      assertThat(p.hasRoom()).isFalse();
      assertThatThrownBy(() -> p.submit(new int[] {3}, 3))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already in flight");
      assertThat(p.next()[0][0]).isEqualTo(1f);
      assertThat(p.pending()).isEqualTo(1);
      p.submit(new int[] {3}, 3);
      assertThat(p.next()[0][0]).isEqualTo(2f);
      assertThat(p.next()[0][0]).isEqualTo(3f);
      assertThatThrownBy(p::next).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aWorkersFailureIsRethrownForItsBatchAndLaterBatchesStillArrive() throws Exception {
    ParallelBatches.ImageTask task =
        (item, seed) -> {
          if (item == 13) {
            throw new IOException("corrupt image 13");
          }
          return new float[] {item};
        };
    try (ParallelBatches p = new ParallelBatches(task, 2, 2)) {
      p.submit(new int[] {12, 13}, 1);
      p.submit(new int[] {14}, 2);
      assertThatThrownBy(p::next)
          .isInstanceOf(ParallelBatches.DataPipelineException.class)
          .hasMessageContaining("corrupt image 13")
          .hasCauseInstanceOf(IOException.class);
      assertThat(p.next()[0][0]).isEqualTo(14f);
    }
  }

  @Test
  void closeInterruptsRunningWorkAndEndsTheWorkers() throws Exception {
    CountDownLatch started = new CountDownLatch(2);
    CountDownLatch interrupted = new CountDownLatch(2);
    AtomicInteger ran = new AtomicInteger();
    ParallelBatches.ImageTask blocking =
        (item, seed) -> {
          ran.incrementAndGet();
          started.countDown();
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.countDown();
            throw e;
          }
          return new float[0];
        };
    ParallelBatches p = new ParallelBatches(blocking, 2, 1);
    p.submit(new int[] {1, 2, 3, 4, 5, 6}, 1);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    p.close();
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("running tasks interrupted").isTrue();
    assertThat(ran.get()).as("queued tasks cancelled, never started").isEqualTo(2);
  }

  @Test
  void badSizesAreRefused() {
    assertThatThrownBy(() -> new ParallelBatches(ParallelBatchesTests::fakeImage, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ParallelBatches(ParallelBatchesTests::fakeImage, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
