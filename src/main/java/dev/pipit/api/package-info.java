/**
 * HTTP API: thin controllers, record DTOs and the ProblemDetail advice; the search page lives in
 * {@code resources/static}. May depend on {@code jobs}, {@code encode}, {@code model} and {@code
 * index}.
 */
package dev.pipit.api;
