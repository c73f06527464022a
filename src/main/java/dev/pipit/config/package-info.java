/**
 * Typed configuration properties (records) and the explicit {@code @Bean} wiring of the
 * application. May depend on every other package; no feature package depends on it.
 */
package dev.pipit.config;
