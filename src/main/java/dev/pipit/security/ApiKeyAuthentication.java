package dev.pipit.security;

import java.util.List;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Authenticates an opaque bearer token as an API key: the caller becomes the key's name with its
 * roles. The key itself is not kept in the resulting authentication.
 */
final class ApiKeyAuthentication implements AuthenticationManager {

  private final ApiKeyStore keys;

  ApiKeyAuthentication(ApiKeyStore keys) {
    this.keys = keys;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    if (!(authentication instanceof BearerTokenAuthenticationToken bearer)) {
      throw new UnknownApiKeyException();
    }
    ApiKeySpec key = keys.find(bearer.getToken()).orElseThrow(UnknownApiKeyException::new);
    List<SimpleGrantedAuthority> roles =
        key.roles().stream().map(role -> new SimpleGrantedAuthority("ROLE_" + role)).toList();
    return UsernamePasswordAuthenticationToken.authenticated(key.name(), null, roles);
  }
}
