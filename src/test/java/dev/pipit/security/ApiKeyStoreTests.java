package dev.pipit.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** Where keys come from: configuration, a keys file, the deprecated token, or generated once. */
@ExtendWith(OutputCaptureExtension.class)
class ApiKeyStoreTests {

  @TempDir Path dir;

  static SecurityProperties properties(List<ApiKeySpec> keys, Path keysFile) {
    return new SecurityProperties(true, keys, keysFile, new SecurityProperties.Cors(List.of()));
  }

  @Test
  void withoutKeysGeneratesAnOwnerOnlyFileOnceAndNeverLogsAKey(CapturedOutput output)
      throws Exception {
    Path data = dir.resolve("data");
    ApiKeyStore first = ApiKeyStore.load(properties(List.of(), null), "", data);
    Path file = data.resolve(ApiKeyStore.GENERATED_FILE);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    Properties keys = new Properties();
    try (var reader = Files.newBufferedReader(file)) {
      keys.load(reader);
    }
    String write = keys.getProperty("write");
    String admin = keys.getProperty("admin");
    assertThat(write).startsWith("pipit_write_").hasSizeGreaterThan(40);
    assertThat(admin).startsWith("pipit_admin_").isNotEqualTo(write);
    assertThat(first.find(write).orElseThrow().roles()).containsExactly("write");
    assertThat(first.find(admin).orElseThrow().roles()).containsExactly("admin");
    assertThat(first.find(write + "x")).isEmpty();

    String before = Files.readString(file);
    ApiKeyStore second = ApiKeyStore.load(properties(List.of(), null), null, data);
    assertThat(Files.readString(file)).isEqualTo(before);
    assertThat(second.find(admin)).isPresent();

    assertThat(output.getOut()).contains(file.toAbsolutePath().toString());
    assertThat(output.getAll()).doesNotContain(write).doesNotContain(admin);
    // not even a fragment of the secret part
    assertThat(output.getAll()).doesNotContain(admin.substring(12, 24));
  }

  @Test
  void aKeyFileReadableByOthersIsMadeOwnerOnly() throws Exception {
    Path data = dir.resolve("data");
    ApiKeyStore.load(properties(List.of(), null), null, data);
    Path file = data.resolve(ApiKeyStore.GENERATED_FILE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ApiKeyStore.load(properties(List.of(), null), null, data);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void configuredKeysFileKeysAndTheDeprecatedTokenAreAcceptedAndNothingIsGenerated()
      throws Exception {
    Path yaml = dir.resolve("keys.yml");
    Files.writeString(
        yaml,
        """
        keys:
          - name: from-yaml
            hash: "%s"
            roles: [read, write]
        """
            .formatted(TestKeys.hash("yaml-key")));
    Path props = dir.resolve("keys.properties");
    Files.writeString(
        props,
        "keys[0].name=from-properties\nkeys[0].hash="
            + TestKeys.hash("properties-key")
            + "\nkeys[0].roles=admin\n");
    ApiKeySpec configured =
        new ApiKeySpec("configured", TestKeys.hash("config-key"), List.of("read"));

    ApiKeyStore store =
        ApiKeyStore.load(properties(List.of(configured), yaml), "legacy-token", dir);
    assertThat(store.find("config-key").orElseThrow().name()).isEqualTo("configured");
    assertThat(store.find("yaml-key").orElseThrow().roles()).containsExactly("read", "write");
    assertThat(store.find("legacy-token").orElseThrow().roles()).containsExactly("admin");
    assertThat(store.find("properties-key")).isEmpty();
    assertThat(ApiKeyStore.load(properties(List.of(), props), null, dir).find("properties-key"))
        .hasValueSatisfying(key -> assertThat(key.name()).isEqualTo("from-properties"));
    assertThat(dir.resolve(ApiKeyStore.GENERATED_FILE)).doesNotExist();
  }

  @Test
  void bcryptHashesWorkToo() throws Exception {
    String bcrypt = "{bcrypt}" + new BCryptPasswordEncoder(4).encode("slow-key");
    ApiKeyStore store =
        ApiKeyStore.load(
            properties(List.of(new ApiKeySpec("slow", bcrypt, List.of("read"))), null), null, dir);
    assertThat(store.find("slow-key")).isPresent();
    assertThat(store.find("other-key")).isEmpty();
  }

  @Test
  void badKeySpecsAreRefused() {
    assertThatThrownBy(() -> new ApiKeySpec("x", "plain", List.of("read")))
        .hasMessageContaining("{sha256}");
    assertThatThrownBy(() -> new ApiKeySpec("x", TestKeys.hash("k"), List.of("root")))
        .hasMessageContaining("unknown role root");
    assertThatThrownBy(() -> new ApiKeySpec("x", TestKeys.hash("k"), List.of()))
        .hasMessageContaining("no role");
  }

  @Test
  void sha256MatchesOnlyItsKey() {
    Sha256PasswordEncoder encoder = new Sha256PasswordEncoder();
    // printf %s abc | sha256sum
    assertThat(encoder.encode("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(encoder.matches("abc", encoder.encode("abc"))).isTrue();
    assertThat(encoder.matches("abd", encoder.encode("abc"))).isFalse();
    assertThat(encoder.matches("abc", "not-hex")).isFalse();
  }
}
