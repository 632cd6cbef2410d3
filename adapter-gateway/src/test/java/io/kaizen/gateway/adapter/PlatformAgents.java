package io.kaizen.gateway.adapter;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.kaizen.common.agents.AgentDefinition;

/** Agents of the webhook platforms, as the gateway receives them from registry (secrets merged into the config). */
final class PlatformAgents {

    private PlatformAgents() {
    }

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
}
