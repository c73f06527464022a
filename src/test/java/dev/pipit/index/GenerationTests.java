package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The mutation rules that live writes and log replay share, and compaction of a generation. */
class GenerationTests {

  private final Generation generation = new Generation(64, 16, 0);

  private static long[] code(long bits) {
    return new long[] {bits};
  }

  @Test
  void aPutOfAPresentIdTombstonesTheOldEntryAndAppendsTheNewOne() {
    generation.put(1, "a", code(1), null);
    generation.put(2, "b", code(2), null);
    generation.put(3, "a", code(3), new byte[] {7});

    View view = generation.publish(3);
    assertThat(view.count).isEqualTo(3);
    assertThat(view.liveCount()).isEqualTo(2);
    assertThat(view.isLive(0)).isFalse();
    assertThat(generation.ordinals.get("a")).isEqualTo(2);
    assertThat(view.codes.load(2)).containsExactly(3);
    // A view published before the replacement still sees the old entry.
    assertThat(generation.publish(2).isLive(0)).isTrue();
  }

  @Test
  void aRemoveOfAnAbsentIdChangesNothing() {
    generation.put(1, "a", code(1), null);

    assertThat(generation.remove(2, "nope")).isFalse();
    assertThat(generation.tombstones).isZero();
    assertThat(generation.remove(2, "a")).isTrue();
    assertThat(generation.contains("a")).isFalse();
    assertThat(generation.tombstones).isEqualTo(1);
  }

  @Test
  void compactionKeepsTheLiveEntriesInInsertionOrder() {
    for (int i = 0; i < 40; i++) {
      generation.put(i + 1, "e" + i, code(i), new byte[] {(byte) i});
    }
    for (int i = 0; i < 40; i += 3) {
      generation.remove(100 + i, "e" + i);
    }
    Generation fresh = generation.compacted(200);

    assertThat(fresh.tombstones).isZero();
    assertThat(fresh.count).isEqualTo(40 - 14);
    int ordinal = 0;
    for (int i = 0; i < 40; i++) {
      if (i % 3 != 0) {
        assertThat(fresh.id(ordinal)).isEqualTo("e" + i);
        assertThat(fresh.payload(ordinal)).containsExactly((byte) i);
        assertThat(fresh.codes.load(ordinal)).containsExactly(i);
        assertThat(fresh.ordinals.get("e" + i)).isEqualTo(ordinal);
        ordinal++;
      }
    }
  }

  @Test
  void growingAcrossChunksKeepsEarlierViewsAndTheirEntries() {
    Generation small = new Generation(64, 8, 0, 4); // chunks of 16 entries
    for (int i = 0; i < 12; i++) {
      small.put(i + 1, "e" + i, code(i), null);
    }
    View early = small.publish(12);
    for (int i = 12; i < 100; i++) {
      small.put(i + 1, "e" + i, code(i), null);
    }
    small.remove(101, "e3");
    small.remove(102, "e40");
    View late = small.publish(102);

    assertThat(late.codes.chunkCount()).isGreaterThan(5);
    assertThat(small.hotBytes()).isEqualTo(late.codes.bytes() + late.deaths.bytes());
    for (int i = 0; i < 100; i++) {
      assertThat(late.codes.load(i)).containsExactly(i);
      assertThat(late.isLive(i)).isEqualTo(i != 3 && i != 40);
    }
    // The early view reads the chunks it was published with: its 12 entries, live as of seq 12.
    assertThat(early.count).isEqualTo(12);
    for (int i = 0; i < 12; i++) {
      assertThat(early.codes.load(i)).containsExactly(i);
      assertThat(early.isLive(i)).isTrue();
    }
    assertThat(early.isLive(12)).isFalse();
  }

  @Test
  void replayingADeleteOfAnAbsentIdIsCorruption() {
    generation.put(1, "a", code(1), null);

    assertThat(Recovery.apply(generation, LogRecord.put(2, "b", code(2), null)))
        .isSameAs(generation);
    assertThat(generation.contains("b")).isTrue();
    assertThatThrownBy(() -> Recovery.apply(generation, LogRecord.delete(3, "nope")))
        .isInstanceOf(CorruptIndexException.class)
        .hasMessageContaining("record 3");
  }

  @Test
  void aDeathMarkTakesFourBytesAndViewsReadItRelativeToTheBase() {
    Generation late = new Generation(64, 16, 1_000_000_000_000L);
    late.put(1_000_000_000_001L, "a", code(1), null);
    late.put(1_000_000_000_002L, "a", code(2), null); // kills ordinal 0 at ...002

    assertThat(late.deaths.bytes()).isEqualTo(4L * late.deaths.capacity);
    assertThat(late.publish(1_000_000_000_001L).isLive(0)).isTrue();
    assertThat(late.publish(1_000_000_000_002L).isLive(0)).isFalse();
    assertThat(late.publish(1_000_000_000_002L).isLive(1)).isTrue();
    assertThat(late.takes(1_000_000_000_000L)).isFalse(); // not after the base
    assertThat(late.takes(1_000_000_000_000L + DeathMarks.MAX_SPAN)).isTrue();
    assertThat(late.takes(1_000_000_000_001L + DeathMarks.MAX_SPAN)).isFalse();
  }

  @Test
  void aWritePastTheDeathMarksReachContinuesInACompactionOnALaterBase() {
    generation.put(1, "a", code(1), null);
    generation.put(2, "b", code(2), null);
    View before = generation.publish(2);
    long far = 2 + DeathMarks.MAX_SPAN + 10; // 2^32 sequences later, no compaction in between

    Generation rebased = Recovery.apply(generation, LogRecord.delete(far, "a"));

    assertThat(rebased).isNotSameAs(generation);
    assertThat(rebased.deaths.base).isEqualTo(far - 1);
    assertThat(rebased.contains("a")).isFalse();
    View after = rebased.publish(far);
    assertThat(after.liveCount()).isEqualTo(1);
    assertThat(after.isLive(0)).isFalse(); // "a", carried over, then deleted on the new base
    assertThat(after.id(1)).isEqualTo("b");
    assertThat(after.isLive(1)).isTrue();
    // the view published before still sees both entries of the old generation
    assertThat(before.isLive(0)).isTrue();
    assertThat(before.isLive(1)).isTrue();
    // and the next write on the new base is marked as usual
    Generation same = Recovery.apply(rebased, LogRecord.put(far + 1, "b", code(3), null));
    assertThat(same).isSameAs(rebased);
    assertThat(same.publish(far).isLive(1)).isTrue();
    assertThat(same.publish(far + 1).isLive(1)).isFalse();
  }
}
