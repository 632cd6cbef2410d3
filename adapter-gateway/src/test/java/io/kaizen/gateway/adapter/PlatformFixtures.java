package io.kaizen.gateway.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.devstack.Sink.SinkRequest;

/** Agents of the Telegram and Notion platforms as registry hands them to the gateway, and a message with everything. */
final class PlatformFixtures {

    static final String BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final String CHAT_ID = "-1001234567890";
    static final String DATABASE_ID = "abc123def4564789a0b1c2d3e4f5a6b7";
    static final String NOTION_TOKEN = "secret_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";

    /** Every markup character of both platforms, a backslash before a reserved one, facts of the page's columns. */
    static final PlatformMessage GOLDEN = new PlatformMessage(
            "Deploy [prod] finished!",
            "Build #42 done_ok: C:\\path\\to\\file.txt (size 1.5 MB) — all *good* ~ `ls` | > = {} + -",
            PlatformMessage.Status.SUCCESS,
            List.of(new PlatformMessage.Fact("Agent ID", "agt_123"),
                    new PlatformMessage.Fact("Execution Time (ms)", "1234"),
                    new PlatformMessage.Fact("Invocation ID", "inv_0001"),
                    new PlatformMessage.Fact("Region", "eu-west-1")),
            "https://kaizen.studio/external-agents/invocations/inv_0001",
            Instant.parse("2026-12-03T17:24:21.123Z"));

    private PlatformFixtures() {
    }

    /** An agent of a webhook platform (Slack, Discord, Teams) with that configuration. */
    static AgentDefinition agent(String platform, Map<String, Object> platformConfig) {
        return new AgentDefinition("agent_1", "org_1", "Release notes", platform, null, platformConfig, "none", Map.of(),
                List.of(), "production", 30, "active", Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** One message exercising every part: a markup-hostile title and text, a status, facts, a link, a time. */
    static PlatformMessage sample() {
        return new PlatformMessage("Nightly run of *billing* <agent> & co",
                "Processed 1,204 invoices_total in ~3 min.\nFailed: `2` — see [logs](https://x.test) | #ops > 5 ✅ café",
                PlatformMessage.Status.SUCCESS,
                List.of(new PlatformMessage.Fact("Agent", "billing_v2"), new PlatformMessage.Fact("Duration", "1.2 s")),
                "https://studio.example.com/external-agents/invocations/inv_123",
                Instant.parse("2026-01-02T03:04:05Z"));
    }

    static AgentDefinition telegramAgent(String endpointUrl) {
        return agent("telegram", endpointUrl, Map.of("bot_token", BOT_TOKEN, "chat_id", CHAT_ID), "none", Map.of());
    }

    static AgentDefinition notionAgent(String endpointUrl) {
        return agent("notion", endpointUrl, Map.of("database_id", DATABASE_ID, "token", NOTION_TOKEN), "none", Map.of());
    }

    static AgentDefinition agent(String platform, String endpointUrl, Map<String, Object> platformConfig, String authType,
            Map<String, Object> credentials) {
        return new AgentDefinition("agt_" + platform, "org_platforms", platform + " agent", platform, endpointUrl,
                platformConfig, authType, credentials, List.of(), "production", 30, "active", Instant.EPOCH);
    }

    /** The request as an emulator would receive it, to be judged by its rules without a server. */
    static SinkRequest received(OutboundRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        URI url = URI.create(request.url());
        return new SinkRequest("POST", url.getRawPath(), url.getRawQuery(), headers,
                new String(request.body(), java.nio.charset.StandardCharsets.UTF_8), Instant.now());
    }

    static String golden(String name) {
        try (InputStream in = PlatformFixtures.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no golden file " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
