package io.kaizen.devstack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DevKeysTest {

    @TempDir
    Path dir;

    @Test
    void signsATokenThatTheWrittenPublicKeyVerifies() throws Exception {
        DevKeys keys = DevKeys.load(dir);
        String token = keys.token("org_1", List.of("org_admin", "approver"), "user-7", "team_9", Duration.ofMinutes(10));

        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKeyFromPem(dir.resolve("jwt-public.pem")));
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verifier.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();

        JsonObject header = decode(parts[0]);
        assertThat(header.getString("alg")).isEqualTo("RS256");
        assertThat(header.getString("typ")).isEqualTo("JWT");
        JsonObject claims = decode(parts[1]);
        assertThat(claims.getString("iss")).isEqualTo("kaizen-dev");
        assertThat(claims.getString("aud")).isEqualTo("kaizen-dev-api");
        assertThat(claims.getString("sub")).isEqualTo("user-7");
        assertThat(claims.getString("upn")).isEqualTo("user-7");
        assertThat(claims.getString("org_id")).isEqualTo("org_1");
        assertThat(claims.getString("team_id")).isEqualTo("team_9");
        assertThat(claims.getString("email")).isEqualTo("user-7@example.com");
        assertThat(claims.getJsonArray("groups")).isEqualTo(new JsonArray(List.of("org_admin", "approver")));
        assertThat(claims.getString("jti")).isNotBlank();
        long now = Instant.now().getEpochSecond();
        assertThat(claims.getLong("iat")).isBetween(now - 5, now + 1);
        assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(600);
        assertThat(parts[0] + parts[1] + parts[2]).doesNotContain("=", "+", "/");
    }

    @Test
    void leavesOutTheTeamWhenThereIsNone() {
        String token = DevKeys.load(dir).token("org_1", List.of("viewer"), "u", null, Duration.ofMinutes(1));
        assertThat(decode(token.split("\\.")[1]).containsKey("team_id")).isFalse();
    }

    @Test
    void makesKeysOnceAndReusesThem() throws Exception {
        DevKeys first = DevKeys.load(dir);
        String privatePem = Files.readString(dir.resolve("jwt-private.pem"));
        DevKeys second = DevKeys.load(dir);

        assertThat(Files.readString(dir.resolve("jwt-private.pem"))).isEqualTo(privatePem);
        assertThat(second.publicKey()).isEqualTo(first.publicKey());
        assertThat(second.serviceToken()).isEqualTo(first.serviceToken());
        assertThat(second.fernetKey()).isEqualTo(first.fernetKey());
        assertThat(privatePem).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(dir.resolve("jwt-public.pem"))).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("jwt-private.pem")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("service-token")))).isEqualTo("rw-------");
    }

    @Test
    void serviceTokenIs32RandomBytesInBase64Url() {
        String token = DevKeys.load(dir).serviceToken();
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
        assertThat(Base64.getUrlDecoder().decode(DevKeys.load(dir).fernetKey())).hasSize(32);
    }

    private static PublicKey publicKeyFromPem(Path pem) throws Exception {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static JsonObject decode(String part) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
    }
}
