package dev.pipit.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's title, and the bearer scheme (API keys, JWTs) its operations name. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  @Bean
  OpenAPI pipitOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("pipit")
                .description(
                    "Fine-grained image search with learned binary codes (AGMH, FCAENet). Errors"
                        + " are application/problem+json. Credentials are bearer tokens"
                        + " (`Authorization: Bearer <API key or JWT>`) with roles read < write <"
                        + " admin: searches and other reads are anonymous unless"
                        + " pipit.security.anonymous-read is false; indexing and deleting need"
                        + " write; training jobs, cancelling them and switching models need"
                        + " admin. 401 without a credential (or an invalid JWT), 403 with an"
                        + " unknown key or a missing role. See docs/security.md.")
                .version("v1"))
        .components(
            new Components()
                .addSecuritySchemes(
                    "admin",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description(
                            "An API key (configured hashed under pipit.security.keys, or"
                                + " generated into <data-dir>/api-keys.txt) or a JWT whose"
                                + " scope names the role; admin operations need the admin"
                                + " role")));
  }
}
