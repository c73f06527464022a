/**
 * Lifecycle of long-running work (training and re-index jobs): queueing, progress, cancellation,
 * recovery after restart. May depend on {@code train}, {@code encode}, {@code model} and {@code
 * index}.
 */
package dev.pipit.jobs;
