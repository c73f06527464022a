package dev.pipit.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's title, and the admin bearer token its admin operations name. */
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
                        + " are application/problem+json. Admin operations need `Authorization:"
                        + " Bearer <PIPIT_ADMIN_TOKEN>`.")
                .version("v1"))
        .components(
            new Components()
                .addSecuritySchemes(
                    "admin",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description(
                            "the admin token (pipit.jobs.admin-token / PIPIT_ADMIN_TOKEN)")));
  }
}
