package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The "at most one run in the background" helper behind snapshots, compaction and MIH builds. */
class BackgroundTaskTests {

  // Several threads: a second run could overlap the first if the task did not prevent it.
  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void triggersWhileARunIsInFlightStartNothingAndALaterTriggerRunsAgain() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    List<Throwable> failures = new ArrayList<>();
    BackgroundTask task =
        new BackgroundTask(
            executor,
            () -> {
              maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
              runs.incrementAndGet();
              release.await();
              concurrent.decrementAndGet();
            },
            failures::add);

    assertThat(task.trigger()).isTrue();
    List<Thread> triggers = new ArrayList<>();
    AtomicInteger started = new AtomicInteger();
    for (int t = 0; t < 8; t++) {
      triggers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 100; i++) {
                      started.addAndGet(task.trigger() ? 1 : 0);
                    }
                  }));
    }
    for (Thread t : triggers) {
      t.join();
    }
    assertThat(started).hasValue(0);
    assertThat(task.running()).isTrue();

    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> !task.running());
    assertThat(task.trigger()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !task.running());
    assertThat(runs).hasValue(2);
    assertThat(maxConcurrent).hasValue(1);
    assertThat(failures).isEmpty();
  }

  @Test
  void aFailingRunIsReportedAndFreesTheTask() {
    IOException boom = new IOException("disk full");
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<Throwable> reported = new AtomicReference<>();
    BackgroundTask task =
        new BackgroundTask(
            executor,
            () -> {
              if (runs.incrementAndGet() == 1) {
                throw boom;
              }
            },
            reported::set);

    assertThat(task.trigger()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !task.running());
    assertThat(reported.get()).isSameAs(boom);

    assertThat(task.trigger()).isTrue(); // not stuck after the failure
    await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2 && !task.running());
    assertThat(reported.get()).isSameAs(boom); // the second run succeeded: nothing new reported
  }

  @Test
  void aTriggerRefusedByAShutDownExecutorIsDroppedAndLeavesTheTaskFree() throws Exception {
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    AtomicInteger runs = new AtomicInteger();
    BackgroundTask task = new BackgroundTask(executor, runs::incrementAndGet, e -> {});

    assertThat(task.trigger()).isFalse();
    assertThat(task.running()).isFalse();
    assertThat(runs).hasValue(0);
  }
}
