package io.kaizen.examples.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ChainVerifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The hashes of these two records, computed from the canonical form of docs/events.md outside Java. */
    private static final String FIRST_HASH = "28e4ea0da7bc571c643ca07da3cc1d41cb40704dbb402ac882b1bd6c2dc271d8";
    private static final String SECOND_HASH = "ced5f13c7b324fbc9e091aa2586899eaa81111c1ef182de487c019053828d58f";

    @Test
    void aChainReadInOrderVerifiesAndARedeliveryIsSeen() {
        ChainVerifier chains = new ChainVerifier(Map.of());
        assertThat(chains.accept(first()).outcome()).isEqualTo(ChainVerifier.Outcome.VERIFIED);
        assertThat(chains.accept(second()).outcome()).isEqualTo(ChainVerifier.Outcome.VERIFIED);
        assertThat(chains.accept(first()).outcome()).isEqualTo(ChainVerifier.Outcome.SEEN);
        assertThat(chains.heads()).containsEntry("org_acme", new ChainVerifier.Head(2, SECOND_HASH));
    }

    @Test
    void changedDataIsABrokenChain() {
        ChainVerifier chains = new ChainVerifier(Map.of());
        ObjectNode altered = first().put("data", "{\"name\":\"Sales b0t\",\"actor\":\"psn_x\"}");
        ChainVerifier.Result result = chains.accept(altered);
        assertThat(result.outcome()).isEqualTo(ChainVerifier.Outcome.BROKEN);
        assertThat(result.seq()).isEqualTo(1);
    }

    @Test
    void aMissingRecordIsABrokenChain() {
        ChainVerifier chains = new ChainVerifier(Map.of("org_acme", new ChainVerifier.Head(0, ChainVerifier.GENESIS)));
        ChainVerifier.Result result = chains.accept(second());
        assertThat(result.outcome()).isEqualTo(ChainVerifier.Outcome.BROKEN);
        assertThat(result.reason()).contains("records 1 to 1 are missing");
    }

    @Test
    void aRecordThatDoesNotLinkToTheLastVerifiedOneIsABrokenChain() {
        ChainVerifier chains = new ChainVerifier(Map.of("org_acme", new ChainVerifier.Head(1, "f".repeat(64))));
        assertThat(chains.accept(second()).outcome()).isEqualTo(ChainVerifier.Outcome.BROKEN);
    }

    @Test
    void theStateFileResumesTheChainAfterARestart(@TempDir Path dir) throws Exception {
        StateFile state = new StateFile(dir.resolve("audit-consumer.state"));
        ChainVerifier before = new ChainVerifier(state.load());
        before.accept(first());
        state.save(before.heads());

        ChainVerifier after = new ChainVerifier(state.load());
        assertThat(after.accept(first()).outcome()).isEqualTo(ChainVerifier.Outcome.SEEN);
        assertThat(after.accept(second()).outcome()).isEqualTo(ChainVerifier.Outcome.VERIFIED);
        assertThat(Files.readString(dir.resolve("audit-consumer.state"))).contains("org_acme=1 " + FIRST_HASH);
    }

    private static ObjectNode first() {
        ObjectNode record = JSON.createObjectNode();
        record.put("organization_id", "org_acme").put("seq", 1).put("event_id", "evt_1")
                .put("type", "kaizen.agent.registered.v1").put("source", "/kaizen/registry-service")
                .put("subject", "agt_1").put("agent_id", "agt_1").put("occurred_at", "2026-11-28T10:00:00Z")
                .put("recorded_at", "2026-11-28T10:00:00.123456Z")
                .put("data", "{\"name\":\"Sales bot\",\"actor\":\"psn_x\"}")
                .put("prev_hash", ChainVerifier.GENESIS).put("hash", FIRST_HASH);
        return record;
    }

    private static ObjectNode second() {
        ObjectNode record = JSON.createObjectNode();
        record.put("organization_id", "org_acme").put("seq", 2).put("event_id", "evt_2")
                .put("type", "kaizen.invocation.completed.v1").put("source", "/kaizen/adapter-gateway")
                .put("subject", "inv_1").put("agent_id", "agt_1").put("occurred_at", "2026-11-28T10:00:01Z")
                .put("recorded_at", "2026-11-28T10:00:01Z").putNull("data")
                .put("prev_hash", FIRST_HASH).put("hash", SECOND_HASH);
        return record;
    }
}
