package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The mutation rules that live writes and log replay share, and compaction of a generation. */
class GenerationTests {

  private final Generation generation = new Generation(64, 16);

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
    Generation fresh = generation.compacted();

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
    Generation small = new Generation(64, 8, 4); // chunks of 16 entries
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

    Recovery.apply(generation, LogRecord.put(2, "b", code(2), null));
    assertThat(generation.contains("b")).isTrue();
    assertThatThrownBy(() -> Recovery.apply(generation, LogRecord.delete(3, "nope")))
        .isInstanceOf(CorruptIndexException.class)
        .hasMessageContaining("record 3");
  }
}
