package io.kaizen.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.common.agents.AgentDefinition;

/** The records of {@code common} that carry secrets show none in their text, which is what a log or an error quotes. */
class RedactedRecordsTest {

    private static final String SECRET = "s3cr3t-value-0042";

    @Test
    void anAgentDefinitionShowsWhichCredentialsItHoldsButNotTheirValues() {
        AgentDefinition agent = new AgentDefinition("agt_1", "org_1", "Bot", "telegram", "https://api.example.com",
                Map.of("chat_id", "42", "bot_token", SECRET), "bearer", Map.of("token", SECRET), List.of("a"),
                "production", 30, "active", Instant.parse("2026-01-01T00:00:00Z"));

        assertThat(agent.toString()).doesNotContain(SECRET)
                .contains("id=agt_1", "name=Bot", "credentials={token=***}", "bot_token=***", "timeoutSeconds=30");
    }

    @Test
    void anApiKeyVerificationRequestShowsNoKeyHash() {
        assertThat(new ApiKeyVerification.Request(SECRET).toString()).doesNotContain(SECRET)
                .isEqualTo("Request[keyHash=***]");
    }

    @Test
    void aMissingSecretStaysNull() {
        assertThat(new ApiKeyVerification.Request(null).toString()).isEqualTo("Request[keyHash=null]");
    }
}
