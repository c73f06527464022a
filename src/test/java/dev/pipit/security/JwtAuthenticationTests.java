package dev.pipit.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * JWT bearer tokens next to API keys: the service trusts one RSA public key (a file, as {@code
 * spring.security.oauth2.resourceserver.jwt.public-key-location}); scopes become roles.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
class JwtAuthenticationTests {

  static final KeyPair TRUSTED = rsa();
  static final KeyPair OTHER = rsa();

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    TestKeys.register(registry);
    registry.add(
        "spring.security.oauth2.resourceserver.jwt.public-key-location",
        () -> "file:" + publicKeyFile());
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path publicKeyFile() {
    Path file = dir.resolve("jwt-public.pem");
    try {
      Files.writeString(
          file,
          "-----BEGIN PUBLIC KEY-----\n"
              + Base64.getMimeEncoder().encodeToString(TRUSTED.getPublic().getEncoded())
              + "\n-----END PUBLIC KEY-----\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  static String token(KeyPair signer, String scope, Instant expires) throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject("ci-pipeline")
            .claim("scope", scope)
            .issueTime(Date.from(expires.minus(Duration.ofHours(1))))
            .expirationTime(Date.from(expires))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    jwt.sign(new RSASSASigner(signer.getPrivate()));
    return "Bearer " + jwt.serialize();
  }

  static Instant inAnHour() {
    return Instant.now().plus(Duration.ofHours(1));
  }

  @Test
  void anAdminScopedTokenPassesAdminAndIsAuditedByItsSubject(CapturedOutput output)
      throws Exception {
    String bearer = token(TRUSTED, "openid admin", inAnHour());
    // the handler ran: the model does not exist
    mvc.perform(post("/v1/models/no-such-model/activate").header("Authorization", bearer))
        .andExpect(status().isNotFound());
    // admin implies write
    mvc.perform(delete("/v1/index/nothing").header("Authorization", bearer))
        .andExpect(status().is(Matchers.not(Matchers.oneOf(401, 403))));
    assertThat(output.getOut())
        .contains("who=ci-pipeline method=POST path=/v1/models/no-such-model/activate status=404")
        .doesNotContain(bearer.substring(7));
  }

  @Test
  void aReadScopedTokenIsForbiddenOnAdmin() throws Exception {
    mvc.perform(
            post("/v1/models/no-such-model/activate")
                .header("Authorization", token(TRUSTED, "read", inAnHour())))
        .andExpect(status().isForbidden())
        .andExpect(
            header().string("Content-Type", Matchers.startsWith("application/problem+json")));
  }

  @Test
  void aTokenSignedByAnotherKeyOrExpiredIsUnauthorized() throws Exception {
    for (String bearer :
        new String[] {
          token(OTHER, "admin", inAnHour()),
          token(TRUSTED, "admin", Instant.now().minus(Duration.ofMinutes(5)))
        }) {
      mvc.perform(post("/v1/models/no-such-model/activate").header("Authorization", bearer))
          .andExpect(status().isUnauthorized())
          .andExpect(header().string("WWW-Authenticate", Matchers.startsWith("Bearer")))
          .andExpect(
              header().string("Content-Type", Matchers.startsWith("application/problem+json")));
    }
  }

  @Test
  void apiKeysStillWorkNextToJwts() throws Exception {
    mvc.perform(
            post("/v1/models/no-such-model/activate")
                .header("Authorization", "Bearer " + TestKeys.ADMIN))
        .andExpect(status().isNotFound());
    mvc.perform(
            post("/v1/models/no-such-model/activate")
                .header("Authorization", "Bearer " + TestKeys.WRONG))
        .andExpect(status().isForbidden());
  }
}
