package dev.pipit.index;

import java.nio.charset.StandardCharsets;

/**
 * Argument checks of the public API; each throws an exception the API layer maps to a 4xx status.
 */
final class Requests {

  private Requests() {}

  static void checkCode(int bits, Code code) {
    if (code == null) {
      throw new InvalidCodeException("code is missing");
    }
    if (code.bits() != bits) {
      throw new InvalidCodeException(
          "the index holds " + bits + "-bit codes, got a " + code.bits() + "-bit code");
    }
  }

  static void checkId(String id) {
    if (id == null || id.isEmpty()) {
      throw new InvalidRequestException("id is missing");
    }
    int bytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > HammingIndex.MAX_ID_BYTES) {
      throw new InvalidRequestException(
          "id is " + bytes + " bytes of UTF-8; at most " + HammingIndex.MAX_ID_BYTES);
    }
  }

  static void checkPayload(byte[] payload) {
    if (payload != null && payload.length > HammingIndex.MAX_PAYLOAD_BYTES) {
      throw new InvalidRequestException(
          "payload is " + payload.length + " bytes; at most " + HammingIndex.MAX_PAYLOAD_BYTES);
    }
  }

  static void checkK(int k) {
    if (k < 1 || k > HammingIndex.MAX_K) {
      throw new InvalidRequestException("k must be 1.." + HammingIndex.MAX_K + ", got " + k);
    }
  }
}
