package dev.pipit.security;

import org.springframework.security.core.AuthenticationException;

/** A bearer credential that is no configured API key: answered 403, not 401 (see docs). */
final class UnknownApiKeyException extends AuthenticationException {

  UnknownApiKeyException() {
    super("The bearer credential is not a valid API key");
  }
}
