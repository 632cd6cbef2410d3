package io.kaizen.lineage.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hash of the documented canonical form, against values computed from docs/events.md outside Java. */
class AuditChainFormTest {

    @Test
    void theHashIsSha256OfTheFieldsAsNetstringsWithNullAsADash() {
        String first = AuditChain.hash(new AuditChain.Link("org_acme", 1, "evt_1", "kaizen.agent.registered.v1",
                "/kaizen/registry-service", "agt_1", "agt_1", "2026-11-28T10:00:00Z", "2026-11-28T10:00:00.123456Z",
                "{\"name\":\"Sales bot\",\"actor\":\"psn_x\"}", AuditChain.GENESIS));
        assertThat(first).isEqualTo("28e4ea0da7bc571c643ca07da3cc1d41cb40704dbb402ac882b1bd6c2dc271d8");
        String second = AuditChain.hash(new AuditChain.Link("org_acme", 2, "evt_2", "kaizen.invocation.completed.v1",
                "/kaizen/adapter-gateway", "inv_1", "agt_1", "2026-11-28T10:00:01Z", "2026-11-28T10:00:01Z", null, first));
        assertThat(second).isEqualTo("ced5f13c7b324fbc9e091aa2586899eaa81111c1ef182de487c019053828d58f");
    }
}
