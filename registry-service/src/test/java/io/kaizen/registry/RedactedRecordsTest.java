package io.kaizen.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.registry.apikey.CreatedApiKey;
import io.kaizen.registry.domain.AuthType;
import io.kaizen.registry.domain.Platform;
import io.kaizen.registry.rest.AuthConfigRequest;
import io.kaizen.registry.rest.CreateAgentRequest;
import io.kaizen.registry.rest.PatchAgentRequest;
import io.kaizen.registry.service.AgentConfig;
import io.kaizen.registry.service.CredentialStore.Sealed;
import io.kaizen.registry.service.CredentialStore.Secrets;

/** registry's records that carry secrets show none in their text, which is what a log or an error quotes. */
class RedactedRecordsTest {

    private static final String SECRET = "s3cr3t-value-0042";

    @Test
    void anAuthConfigRequestShowsNoCredential() {
        assertThat(new AuthConfigRequest(AuthType.BEARER_TOKEN, Map.of("token", SECRET)).toString())
                .doesNotContain(SECRET).contains("credentials={token=***}");
    }

    @Test
    void aCreateAgentRequestShowsNoPlatformSecretNorCredential() {
        CreateAgentRequest request = new CreateAgentRequest("Bot", null, Platform.TELEGRAM, null,
                Map.of("bot_token", SECRET), new AuthConfigRequest(AuthType.BEARER_TOKEN, Map.of("token", SECRET)),
                List.of(), null, 30, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

        assertThat(request.toString()).doesNotContain(SECRET).contains("name=Bot", "platformConfig={bot_token=***}");
    }

    @Test
    void aPatchAgentRequestShowsNoPlatformSecretNorCredential() {
        PatchAgentRequest patch = new PatchAgentRequest(null, null, null, null, Map.of("bot_token", SECRET),
                new AuthConfigRequest(null, Map.of("api_key", SECRET)), null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);

        assertThat(patch.toString()).doesNotContain(SECRET).contains("platformConfig={bot_token=***}");
    }

    @Test
    void anAgentConfigShowsNoPlatformSecretNorCredential() {
        AgentConfig config = new AgentConfig("https://api.example.com", Map.of("bot_token", AgentConfig.MASK),
                Map.of("bot_token", SECRET), AuthType.API_KEY, Map.of("api_key", SECRET));

        assertThat(config.toString()).doesNotContain(SECRET).contains("endpointUrl=https://api.example.com");
    }

    @Test
    void decryptedSecretsShowNoValue() {
        assertThat(new Secrets(Map.of("token", SECRET), Map.of("bot_token", SECRET)).toString())
                .doesNotContain(SECRET).isEqualTo("Secrets[credentials={token=***}, platformSecrets={bot_token=***}]");
    }

    @Test
    void aSealedTokenShowsOnlyItsKeyFingerprint() {
        assertThat(new Sealed(SECRET, "fp-1").toString()).doesNotContain(SECRET)
                .isEqualTo("Sealed[token=***, keyFingerprint=fp-1]");
    }

    @Test
    void aCreatedApiKeyShowsItsPrefixButNotTheKey() {
        CreatedApiKey created = new CreatedApiKey("key_1", "ci", SECRET, "kz_s3cr", List.of("agents:read"), null,
                "org_1", Instant.parse("2026-01-01T00:00:00Z"), null);

        assertThat(created.toString()).doesNotContain(SECRET).contains("key=***", "prefix=kz_s3cr");
    }
}
