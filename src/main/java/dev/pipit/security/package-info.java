/**
 * Authentication and authorization of the HTTP API on Spring Security: API keys (hashed) and
 * optional JWTs as bearer tokens, the role hierarchy admin → write → read, the route table, the
 * audit log and the problem+json answers for 400/401/403. Depends on Spring and the JDK only;
 * {@code config} wires it.
 */
package dev.pipit.security;
