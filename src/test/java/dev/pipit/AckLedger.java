package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a crash test asked of the gallery and what the service acknowledged, per item id. Each id is
 * written by one thread at a time, in order, so its last acknowledged write defines its state;
 * writes after it that were not acknowledged (in flight at the kill) may or may not have been
 * applied, but if applied then whole.
 */
final class AckLedger {

  /**
   * One possible state of an item.
   *
   * @param code its code in hex, or null for "whatever the model encoded" (items given by image)
   * @param label its label
   * @param image sha-256 of its kept original, or null
   */
  record State(String code, String label, String image) {

    static final State ABSENT = new State(null, null, null);

    boolean present() {
      return label != null;
    }

    /** Whether the state read back from the service, {@code actual}, is this one. */
    boolean matches(State actual) {
      if (!present() || !actual.present()) {
        return present() == actual.present();
      }
      return (code == null || code.equals(actual.code()))
          && label.equals(actual.label())
          && Objects.equals(image, actual.image());
    }
  }

  private final Map<String, State> acknowledged = new ConcurrentHashMap<>();
  private final Map<String, List<State>> inFlight = new ConcurrentHashMap<>();

  /** A write that would leave {@code id} in {@code state} is about to be sent. */
  void attempt(String id, State state) {
    inFlight.computeIfAbsent(id, k -> new ArrayList<>()).add(state);
  }

  /** The service acknowledged that {@code id} is now in {@code state}. */
  void acknowledge(String id, State state) {
    acknowledged.put(id, state);
    inFlight.remove(id);
  }

  /** The service answered that the write to {@code id} was not applied. */
  void refused(String id, State state) {
    List<State> states = inFlight.get(id);
    if (states != null) {
      states.remove(state);
    }
  }

  /** Every id ever written. */
  Set<String> ids() {
    Set<String> ids = new TreeSet<>(acknowledged.keySet());
    ids.addAll(inFlight.keySet());
    return ids;
  }

  /** How many ids the service acknowledged as present. */
  long acknowledgedPresent() {
    return acknowledged.values().stream().filter(State::present).count();
  }

  /**
   * Checks every id against the service and settles each on what it found (so the next cycle starts
   * from known states).
   *
   * @return the states read back, by id
   */
  Map<String, State> verify(GalleryClient client) throws Exception {
    Map<String, State> found = new ConcurrentHashMap<>();
    for (String id : ids()) {
      State actual = read(client, id);
      State acked = acknowledged.getOrDefault(id, State.ABSENT);
      List<State> allowed = new ArrayList<>();
      allowed.add(acked);
      allowed.addAll(inFlight.getOrDefault(id, List.of()));
      assertThat(allowed.stream().anyMatch(s -> s.matches(actual)))
          .as("%s after SIGKILL is %s; acknowledged %s, in flight %s", id, actual, acked, allowed)
          .isTrue();
      State settled = allowed.stream().filter(s -> s.matches(actual)).findFirst().orElseThrow();
      acknowledged.put(id, settled);
      inFlight.remove(id);
      found.put(id, actual);
    }
    return found;
  }

  static State read(GalleryClient client, String id) throws Exception {
    HttpResponse<String> response = client.get("/v1/index/" + id);
    if (response.statusCode() == 404) {
      return State.ABSENT;
    }
    assertThat(response.statusCode()).as("GET %s: %s", id, response.body()).isEqualTo(200);
    String body = response.body();
    Map<String, Object> item = JsonPath.read(body, "$");
    String image = (String) item.get("image");
    return new State(
        (String) item.get("code"),
        (String) item.get("label"),
        image == null ? null : image.substring("/v1/images/".length()));
  }
}
