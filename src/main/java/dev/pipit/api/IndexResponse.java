package dev.pipit.api;

import dev.pipit.jobs.ModelRef;
import java.util.List;

/**
 * Response of {@code POST /v1/index}: one result per item, in request order.
 *
 * @param model the model whose codes were stored
 * @param indexed how many items were stored
 * @param failed how many were refused
 * @param items per-item outcome
 */
record IndexResponse(ModelRef model, int indexed, int failed, List<ItemResult> items) {

  /**
   * @param id the item's id
   * @param status {@code indexed} or {@code failed}
   * @param reason why it failed
   */
  record ItemResult(String id, String status, String reason) {}
}
