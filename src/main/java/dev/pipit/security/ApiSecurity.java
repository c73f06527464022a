package dev.pipit.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.boot.security.autoconfigure.web.servlet.PathRequest;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * The API's security filter chain: stateless, no CSRF (bearer tokens, no cookies), one bearer
 * filter for API keys and (when configured) JWTs, the route table of {@link Routes}, everything
 * else denied.
 */
public final class ApiSecurity {

  private ApiSecurity() {}

  /** admin implies write, write implies read. */
  public static RoleHierarchy roleHierarchy() {
    return RoleHierarchyImpl.withDefaultRolePrefix()
        .role(Routes.ADMIN)
        .implies(Routes.WRITE)
        .role(Routes.WRITE)
        .implies(Routes.READ)
        .build();
  }

  /**
   * Builds the chain.
   *
   * @param jwt decoder of JWT bearer tokens; null: JWTs are not accepted (only API keys)
   * @param problems the 401/403 answers
   */
  public static SecurityFilterChain filterChain(
      HttpSecurity http,
      SecurityProperties properties,
      ApiKeyStore keys,
      JwtDecoder jwt,
      Problems problems)
      throws Exception {
    AuthenticationManager bearer = bearerAuthentication(keys, jwt);
    AuthenticationManagerResolver<HttpServletRequest> resolver = request -> bearer;
    http.csrf(csrf -> csrf.disable())
        .sessionManagement(
            session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(cache -> cache.disable())
        .oauth2ResourceServer(
            oauth ->
                oauth
                    .authenticationManagerResolver(resolver)
                    .authenticationEntryPoint(problems)
                    .accessDeniedHandler(problems))
        .exceptionHandling(
            exceptions ->
                exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
        .addFilterBefore(new Audit(), BearerTokenAuthenticationFilter.class)
        .authorizeHttpRequests(
            authorize -> {
              // The original request was authorized; its async (SSE) and error dispatches are
              // the same request.
              authorize
                  .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
                  .permitAll();
              authorize
                  .requestMatchers(HttpMethod.GET, Routes.PUBLIC_GET.toArray(String[]::new))
                  .permitAll();
              authorize.requestMatchers("/error").permitAll();
              authorize
                  .requestMatchers(PathRequest.toStaticResources().atCommonLocations())
                  .permitAll();
              for (Routes.Route route : Routes.API) {
                var matched =
                    route.method() == null
                        ? authorize.requestMatchers(route.pattern())
                        : authorize.requestMatchers(route.method(), route.pattern());
                if (Routes.READ.equals(route.role()) && properties.anonymousRead()) {
                  matched.permitAll();
                } else {
                  matched.hasRole(route.role());
                }
              }
              authorize.anyRequest().denyAll();
            });
    List<String> origins = properties.cors().allowedOrigins();
    if (!origins.isEmpty()) {
      CorsConfiguration cors = new CorsConfiguration();
      cors.setAllowedOrigins(origins);
      cors.setAllowedMethods(List.of("GET", "POST", "DELETE"));
      cors.setAllowedHeaders(List.of("Authorization", "Content-Type"));
      cors.setExposedHeaders(List.of("Location", "Retry-After"));
      UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
      source.registerCorsConfiguration("/**", cors);
      http.cors(c -> c.configurationSource(source));
    }
    return http.build();
  }

  /**
   * API keys, and JWTs when a decoder is configured: a token in JWT shape (three dot-separated
   * parts) goes to the decoder, anything else is looked up as an API key (whose format has no
   * dots).
   */
  static AuthenticationManager bearerAuthentication(ApiKeyStore keys, JwtDecoder jwt) {
    AuthenticationManager apiKeys = new ApiKeyAuthentication(keys);
    if (jwt == null) {
      return apiKeys;
    }
    JwtAuthenticationProvider provider = new JwtAuthenticationProvider(jwt);
    provider.setJwtAuthenticationConverter(JwtRoles.converter());
    AuthenticationManager jwts = new ProviderManager(provider);
    return authentication -> {
      if (authentication instanceof BearerTokenAuthenticationToken token
          && token.getToken().chars().filter(c -> c == '.').count() == 2) {
        return jwts.authenticate(authentication);
      }
      return apiKeys.authenticate(authentication);
    };
  }
}
