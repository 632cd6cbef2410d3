package io.kaizen.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Each development setting, alone in an otherwise production-ready configuration, is refused with a message naming
 * it and its variable; a production-ready configuration is refused nothing. docs/operations.md lists every setting.
 */
class ProductionSettingsTest {

    private static final List<String> SERVICES = List.of("registry-service", "governance-service", "lineage-service",
            "approval-service", "adapter-gateway");
    private static final String SECRET = "x8Jq2nV0rT5wLk9ZpB3cYh7mQd1sFg4eUa6iOj0bXy2";
    /** A development key pair: the devstack keeps the private key beside the public one. */
    @TempDir
    static Path keys;
    private static Path issuerKey;
    private static Path devKey;

    @BeforeAll
    static void keyFiles() throws IOException {
        issuerKey = Files.createDirectories(keys.resolve("issuer")).resolve("public.pem");
        Files.writeString(issuerKey, "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        Path devstack = Files.createDirectories(keys.resolve("devstack"));
        devKey = devstack.resolve("jwt-public.pem");
        Files.writeString(devKey, "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        Files.writeString(devstack.resolve("jwt-private.pem"), "-----BEGIN PRIVATE KEY-----\n");
    }

    /** What a production deployment sets (deploy/k8s/overlays/prod with its placeholders replaced). */
    private static Map<String, String> production() {
        Map<String, String> config = new HashMap<>();
        config.put("mp.jwt.verify.issuer", "https://login.example.com/");
        config.put("mp.jwt.verify.audiences", "kaizen-external-agents");
        config.put("mp.jwt.verify.publickey.location", issuerKey.toString());
        config.put("kaizen.internal.service-token", SECRET);
        config.put("kaizen.egress.allow-loopback", "false");
        config.put("kaizen.egress.https-only", "true");
        config.put("kaizen.crypto.keys", "RGf1Ot60dtwm2DJR76wm7urHSfMskNKWcSjKl7HclWY=");
        config.put("kaizen.lineage.audit.pseudonym-key", SECRET);
        config.put("kaizen.approvals.link-key", SECRET);
        config.put("kaizen.webhooks.encryption-key", SECRET);
        for (String client : List.of("registry", "governance", "approval")) {
            config.put("quarkus.rest-client." + client + ".url", "http://" + client + "-service:8080");
        }
        return config;
    }

    static Stream<Arguments> developmentSettings() {
        List<Arguments> cases = new ArrayList<>();
        for (String service : SERVICES) {
            common(cases, service, "mp.jwt.verify.issuer", null, "is not set");
            common(cases, service, "mp.jwt.verify.issuer", "kaizen-dev", "is the development issuer kaizen-dev");
            common(cases, service, "mp.jwt.verify.audiences", null, "is not set");
            common(cases, service, "mp.jwt.verify.audiences", "kaizen-api, kaizen-dev-api",
                    "contains the development audience");
            common(cases, service, "mp.jwt.verify.publickey.location", null, "is not set");
            common(cases, service, "kaizen.internal.service-token", null, "is not set");
            common(cases, service, "kaizen.internal.service-token", "short-token", "is shorter than 32 characters");
            common(cases, service, "kaizen.internal.service-token", "REPLACE_ME", "is a placeholder");
            common(cases, service, "kaizen.egress.allow-loopback", "true", "is true");
            common(cases, service, "kaizen.egress.https-only", "false", "is false");
            common(cases, service, "kaizen.egress.https-only", null, "is false");
        }
        cases.add(Arguments.of("registry-service", "kaizen.crypto.keys", null, "kaizen.crypto.keys (env KAIZEN_CRYPTO_KEYS"
                + " or EXTERNAL_AGENT_ENCRYPTION_KEY) is not set"));
        cases.add(Arguments.of("registry-service", "kaizen.crypto.keys", "REPLACE_ME", "kaizen.crypto.keys (env"
                + " KAIZEN_CRYPTO_KEYS or EXTERNAL_AGENT_ENCRYPTION_KEY) holds a placeholder"));
        cases.add(Arguments.of("lineage-service", "kaizen.lineage.audit.pseudonym-key",
                "kaizen-local-audit-pseudonym-key-not-for-production", "kaizen.lineage.audit.pseudonym-key (env"
                        + " KAIZEN_LINEAGE_AUDIT_PSEUDONYM_KEY) is a placeholder or a development value"));
        cases.add(Arguments.of("approval-service", "kaizen.approvals.link-key", null,
                "kaizen.approvals.link-key (env KAIZEN_APPROVALS_LINK_KEY) is not set"));
        cases.add(Arguments.of("adapter-gateway", "kaizen.webhooks.encryption-key", null,
                "kaizen.webhooks.encryption-key (env KAIZEN_WEBHOOKS_ENCRYPTION_KEY) is not set"));
        cases.add(Arguments.of("adapter-gateway", "kaizen.webhooks.encryption-key",
                "kaizen-local-webhook-key-not-for-production-000000", "kaizen.webhooks.encryption-key (env"
                        + " KAIZEN_WEBHOOKS_ENCRYPTION_KEY) is a placeholder or a development value"));
        cases.add(Arguments.of("adapter-gateway", "quarkus.rest-client.registry.url", "http://localhost:8081",
                "quarkus.rest-client.registry.url (env QUARKUS_REST_CLIENT_REGISTRY_URL) points at this machine"));
        cases.add(Arguments.of("governance-service", "quarkus.rest-client.approval.url", "http://127.0.0.1:8084",
                "quarkus.rest-client.approval.url (env QUARKUS_REST_CLIENT_APPROVAL_URL) points at this machine"));
        cases.add(Arguments.of("registry-service", "quarkus.rest-client.governance.url", null,
                "quarkus.rest-client.governance.url (env QUARKUS_REST_CLIENT_GOVERNANCE_URL) is not set"));
        return cases.stream();
    }

    private static void common(List<Arguments> cases, String service, String property, String value, String problem) {
        cases.add(Arguments.of(service, property, value, property + " (env " + environment(property) + ") " + problem));
    }

    private static String environment(String property) {
        return property.equals("mp.jwt.verify.publickey.location")
                ? "MP_JWT_VERIFY_PUBLICKEY_LOCATION or MP_JWT_VERIFY_PUBLICKEY"
                : ProductionSetting.environmentOf(property);
    }

    @ParameterizedTest(name = "{0}: {1} = {2}")
    @MethodSource("developmentSettings")
    void eachDevelopmentSettingIsRefusedByName(String service, String property, String value, String refusal) {
        Map<String, String> config = production();
        if (value == null) {
            config.remove(property);
        } else {
            config.put(property, value);
        }
        assertThat(ProductionSettings.refusals(service, config(config))).singleElement().asString().startsWith(refusal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"registry-service", "governance-service", "lineage-service", "approval-service",
            "adapter-gateway"})
    void aProductionConfigurationIsRefusedNothing(String service) {
        assertThat(ProductionSettings.refusals(service, config(production()))).isEmpty();
    }

    @Test
    void theDevstacksKeyIsRefusedAndAnInlineKeyIsEnough() {
        Map<String, String> config = production();
        config.put("mp.jwt.verify.publickey.location", devKey.toString());
        assertThat(ProductionSettings.refusals("governance-service", config(config))).singleElement().asString()
                .startsWith("mp.jwt.verify.publickey.location (env MP_JWT_VERIFY_PUBLICKEY_LOCATION or"
                        + " MP_JWT_VERIFY_PUBLICKEY) is the devstack's development key");
        config.remove("mp.jwt.verify.publickey.location");
        config.put("mp.jwt.verify.publickey", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");
        assertThat(ProductionSettings.refusals("governance-service", config(config))).isEmpty();
    }

    @Test
    void anInlineKeyThatIsStillThePlaceholderIsRefused() throws IOException {
        Map<String, String> config = production();
        config.remove("mp.jwt.verify.publickey.location");
        // what the prod overlay's secret file holds until an operator replaces it
        config.put("mp.jwt.verify.publickey",
                Files.readString(repository().resolve("deploy/k8s/overlays/prod/secrets/jwt-public-key.pem")));
        assertThat(ProductionSettings.refusals("governance-service", config(config))).singleElement().asString()
                .isEqualTo("mp.jwt.verify.publickey.location (env MP_JWT_VERIFY_PUBLICKEY_LOCATION or"
                        + " MP_JWT_VERIFY_PUBLICKEY) is not set, and mp.jwt.verify.publickey is a placeholder: set your"
                        + " identity provider's public key");
    }

    @Test
    void theRegistryAcceptsTheOriginalSystemsKeyVariables() {
        Map<String, String> config = production();
        config.remove("kaizen.crypto.keys");
        config.put("kaizen.crypto.original.key", "RGf1Ot60dtwm2DJR76wm7urHSfMskNKWcSjKl7HclWY=");
        assertThat(ProductionSettings.refusals("registry-service", config(config))).isEmpty();
    }

    @Test
    void everyRefusedSettingIsDocumentedInTheOperationsGuide() throws IOException {
        String guide = Files.readString(repository().resolve("docs/operations.md"));
        String section = guide.substring(guide.indexOf("## Production settings"));
        for (String service : SERVICES) {
            for (ProductionSetting setting : ProductionSettings.settings(service)) {
                assertThat(section).as(setting.property() + " in docs/operations.md, Production settings")
                        .contains("`" + setting.property() + "`");
            }
        }
    }

    private static Config config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 500)).build();
    }

    /** The repository's root: the folder above the module that holds docs/operations.md. */
    private static Path repository() {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("docs/operations.md"))) {
            root = root.getParent();
            assertThat(root).as("docs/operations.md above the module").isNotNull();
        }
        return root;
    }
}
