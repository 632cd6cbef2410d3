package io.kaizen.registry.crypto;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.macasaet.fernet.Key;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Key rotation as an operator runs it: a new key is configured in front of the old one
 * (EXTERNAL_AGENT_ENCRYPTION_KEY_NEW), then one command re-encrypts every stored credential under it. Rows written
 * under the old key are seeded directly in the database.
 */
@QuarkusTest
@TestProfile(CredentialRotationTest.NewKeyInFront.class)
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class CredentialRotationTest {

    static final String NEW_KEY = Key.generateKey().serialise();

    public static class NewKeyInFront implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kaizen.crypto.original.new-key", NEW_KEY);
        }
    }

    @Test
    void rotationReEncryptsEveryRowUnderTheNewestKeyAndIsSafeToRunTwice() throws SQLException {
        String oldKey = DevStackTestResource.stack().keys().fernetKey();
        CredentialCipher old = new CredentialCipher(List.of(oldKey));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(seed(old, "{\"credentials\":{\"token\":\"token-" + i + "\"},\"platform_secrets\":{}}",
                    CredentialCipher.fingerprint(oldKey)));
        }

        given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                .queryParam("batch_size", 2)
                .when().post("/internal/v1/credentials/rotate")
                .then().statusCode(200)
                .body("re_encrypted", greaterThanOrEqualTo(5))
                .body("key_fingerprint", equalTo(CredentialCipher.fingerprint(NEW_KEY)));

        CredentialCipher onlyNew = new CredentialCipher(List.of(NEW_KEY));
        for (int i = 0; i < ids.size(); i++) {
            Row row = row(ids.get(i));
            assertThat(row.keyFingerprint()).isEqualTo(CredentialCipher.fingerprint(NEW_KEY));
            assertThat(onlyNew.decrypt(row.token())).contains("token-" + i);
            given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                    .when().get("/internal/v1/agents/" + ids.get(i))
                    .then().statusCode(200).body("credentials.token", equalTo("token-" + i));
        }

        given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                .when().post("/internal/v1/credentials/rotate")
                .then().statusCode(200).body("re_encrypted", equalTo(0));
        given().when().post("/internal/v1/credentials/rotate").then().statusCode(401);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "ten", "1e3", "\\"})
    void aBatchSizeThatIsNotAWholeNumberFromOneToAThousandIsA400(String batchSize) {
        given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                .queryParam("batch_size", batchSize)
                .when().post("/internal/v1/credentials/rotate")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("batch_size"));
    }

    @Test
    void aRowNoKeyDecryptsIsSkippedAndReportedWhileTheOthersAreRotated() throws SQLException {
        String oldKey = DevStackTestResource.stack().keys().fernetKey();
        CredentialCipher old = new CredentialCipher(List.of(oldKey));
        String lostKey = Key.generateKey().serialise();
        String before = seed(old, secrets("before"), CredentialCipher.fingerprint(oldKey));
        String lost = seed(new CredentialCipher(List.of(lostKey)), secrets("lost-secret-value"),
                CredentialCipher.fingerprint(lostKey));
        String after = seed(old, secrets("after"), CredentialCipher.fingerprint(oldKey));
        Row lostRow = row(lost);

        for (int run = 0; run < 2; run++) {
            given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                    .queryParam("batch_size", 1)
                    .when().post("/internal/v1/credentials/rotate")
                    .then().statusCode(200)
                    .body("key_fingerprint", equalTo(CredentialCipher.fingerprint(NEW_KEY)))
                    .body("skipped", greaterThanOrEqualTo(1))
                    .body("skipped_agent_ids", hasItem(lost))
                    .body("skipped_agent_ids", not(hasItem(before)))
                    .body(not(containsString("lost-secret-value")));
        }

        CredentialCipher onlyNew = new CredentialCipher(List.of(NEW_KEY));
        assertThat(onlyNew.decrypt(row(before).token())).contains("before");
        assertThat(onlyNew.decrypt(row(after).token())).contains("after");
        assertThat(row(after).keyFingerprint()).isEqualTo(CredentialCipher.fingerprint(NEW_KEY));
        assertThat(row(lost)).isEqualTo(lostRow);
        assertThat(new CredentialCipher(List.of(lostKey)).decrypt(row(lost).token())).contains("lost-secret-value");
    }

    @Test
    void theAnswerNamesTheFirstHundredSkippedAgentsAndCountsThemAll() throws SQLException {
        String lostKey = Key.generateKey().serialise();
        CredentialCipher lost = new CredentialCipher(List.of(lostKey));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            ids.add(seed(lost, secrets("lost-" + i), CredentialCipher.fingerprint(lostKey)));
        }
        try {
            given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                    .when().post("/internal/v1/credentials/rotate")
                    .then().statusCode(200)
                    .body("skipped", greaterThanOrEqualTo(101))
                    .body("skipped_agent_ids.size()", equalTo(100));
        } finally {
            // so that the other tests' own skipped rows stay among the first hundred listed
            try (Connection db = db();
                    PreparedStatement delete = db.prepareStatement("delete from external_agent where id = any (?)")) {
                delete.setArray(1, db.createArrayOf("varchar", ids.toArray()));
                delete.executeUpdate();
            }
        }
    }

    private static String secrets(String token) {
        return "{\"credentials\":{\"token\":\"" + token + "\"},\"platform_secrets\":{}}";
    }

    private record Row(String token, String keyFingerprint) {
    }

    private static Connection db() throws SQLException {
        return DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("registry"), "kaizen", "kaizen");
    }

    private static String seed(CredentialCipher cipher, String secrets, String fingerprint) throws SQLException {
        String id = PrefixedId.next(PrefixedId.AGENT);
        try (Connection db = db(); PreparedStatement insert = db.prepareStatement("""
                insert into external_agent (id, organization_id, name, platform, endpoint_url, platform_config, auth_type,
                    encrypted_credentials, credentials_key, tags, environment, timeout_seconds, status, created_by, created_at)
                values (?, 'org_rotation', ?, 'custom_http', 'https://r.example.com', '{}', 'bearer_token', ?, ?, '[]',
                    'production', 30, 'active', 'seed', ?)""")) {
            insert.setString(1, id);
            insert.setString(2, "rotation " + id);
            insert.setString(3, cipher.encrypt(secrets));
            insert.setString(4, fingerprint);
            insert.setTimestamp(5, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
        return id;
    }

    private static Row row(String id) throws SQLException {
        try (Connection db = db();
                PreparedStatement query = db.prepareStatement(
                        "select encrypted_credentials, credentials_key from external_agent where id = ?")) {
            query.setString(1, id);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return new Row(rs.getString(1), rs.getString(2));
            }
        }
    }
}
