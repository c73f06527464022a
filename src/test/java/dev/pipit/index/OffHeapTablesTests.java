package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The off-heap cold side of a generation: records, their offsets and the id table. */
class OffHeapTablesTests {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void recordsThatCrossChunkBoundariesReadBackWhole() {
    // 16-byte chunks: nearly every record spans several.
    ColdStore cold =
        new ColdStore(new SegmentedMemory(4), new SegmentedMemory(4), new SegmentedMemory(4), 0, 0);
    Random rnd = new Random(1);
    List<String> ids = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String id = "id-" + i + "-é".repeat(rnd.nextInt(5));
      byte[] payload = rnd.nextInt(4) == 0 ? null : new byte[rnd.nextInt(40)];
      if (payload != null) {
        rnd.nextBytes(payload);
      }
      ids.add(id);
      payloads.add(payload);
      cold.append(utf8(id), payload);
    }
    for (int i = 0; i < ids.size(); i++) {
      assertThat(cold.id(i)).isEqualTo(ids.get(i));
      assertThat(cold.payload(i)).isEqualTo(payloads.get(i));
      assertThat(cold.idEquals(i, utf8(ids.get(i)))).isTrue();
      assertThat(cold.idEquals(i, utf8(ids.get(i) + "x"))).isFalse();
      int length = payloads.get(i) == null ? 0 : payloads.get(i).length;
      assertThat(cold.payloadLength(i)).isEqualTo(length);
    }
  }

  @Test
  void theIdTableAgreesWithAHashMapThroughPutsRemovesAndRehashes() {
    ColdStore cold = new ColdStore();
    IdTable table = new IdTable(cold, 4);
    Map<String, Integer> model = new HashMap<>();
    Random rnd = new Random(7);
    int ordinal = 0;
    for (int step = 0; step < 60_000; step++) {
      String id = "k" + rnd.nextInt(5000);
      if (rnd.nextInt(3) == 0) {
        Integer expected = model.remove(id);
        assertThat(table.remove(utf8(id))).isEqualTo(expected == null ? -1 : expected);
      } else {
        cold.append(utf8(id), null);
        Integer expected = model.put(id, ordinal);
        assertThat(table.put(utf8(id), ordinal)).isEqualTo(expected == null ? -1 : expected);
        ordinal++;
      }
    }
    for (int i = 0; i < 5000; i++) {
      assertThat(table.get("k" + i)).isEqualTo(model.get("k" + i));
    }
    // Never more than 8 bytes a slot per live id once grown (kept between 5/8 and 4/5 full).
    assertThat(table.bytes()).isLessThanOrEqualTo(Math.max(64L, 8L * (model.size() + 1) * 8 / 5));
  }

  @Test
  void savedSlotsFindEveryIdAfterLoading() {
    ColdStore cold = new ColdStore();
    int n = 10_000;
    for (int i = 0; i < n; i++) {
      cold.append(utf8("id" + i), null);
    }
    IdTable loaded = IdTable.loaded(cold, IdTable.slotsFor(n, i -> cold.idBytes((int) i)), n);
    for (int i = 0; i < n; i++) {
      assertThat(loaded.get("id" + i)).isEqualTo(i);
    }
    assertThat(loaded.get("absent")).isNull();
    cold.append(utf8("id" + n), null);
    assertThat(loaded.put(utf8("id" + n), n)).isEqualTo(-1);
    assertThat(loaded.get("id" + n)).isEqualTo(n);
  }
}
