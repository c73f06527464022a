package dev.pipit.security;

import java.util.Collection;
import java.util.List;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * Maps a JWT's scopes ({@code scope} or {@code scp}, space-separated or a list) onto pipit's roles:
 * scope {@code read}, {@code write}, {@code admin} → that role; other scopes grant nothing. The
 * caller's name is the token's subject.
 */
final class JwtRoles implements Converter<Jwt, Collection<GrantedAuthority>> {

  static JwtAuthenticationConverter converter() {
    JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
    converter.setJwtGrantedAuthoritiesConverter(new JwtRoles());
    return converter;
  }

  @Override
  public Collection<GrantedAuthority> convert(Jwt jwt) {
    Object claim = jwt.getClaims().get("scope");
    if (claim == null) {
      claim = jwt.getClaims().get("scp");
    }
    List<String> scopes =
        switch (claim) {
          case null -> List.of();
          case String text -> List.of(text.trim().split("\\s+"));
          case Collection<?> list -> list.stream().map(String::valueOf).toList();
          default -> List.of();
        };
    return scopes.stream()
        .filter(ApiKeySpec.ROLES::contains)
        .distinct()
        .<GrantedAuthority>map(scope -> new SimpleGrantedAuthority("ROLE_" + scope))
        .toList();
  }
}
