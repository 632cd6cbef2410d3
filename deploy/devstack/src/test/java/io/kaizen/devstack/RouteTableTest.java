package io.kaizen.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteTableTest {

    private final RouteTable table = RouteTable.load();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/api/v1/external-agents/agt_1/invoke, gateway",
            "/api/v1/external-agents/agt_1/invocations, gateway",
            "/api/v1/external-agents/agt_1/test, gateway",
            "/api/v1/external-agents/agt_1/governance-status, governance",
            "/api/v1/external-agents/agt_1/budget, governance",
            "/api/v1/external-agents/agt_1/budget/config, governance",
            "/api/v1/external-agents/agt_1/budget/alerts, governance",
            "/api/v1/external-agents/agt_1/governance, governance",
            "/api/v1/external-agents/agt_1/approvals/pending, approval",
            "/api/v1/external-agents, registry",
            "/api/v1/external-agents/agt_1, registry",
            "/api/v1/external-agents/agt_1/credentials/rotate, registry",
            "/api/v1/api-keys, registry",
            "/api/v1/api-keys/key_1/revoke, registry",
            "/api/v1/policies, governance",
            "/api/v1/policies/simulate, governance",
            "/api/v1/approvals, approval",
            "/api/v1/approvals/apr_1/approve, approval",
            "/api/v1/approval-workflows/wf_1, approval",
            "/approvals/apr_1, approval",
            "/api/v1/lineage/export, lineage",
            "/api/v1/audit/verify, lineage",
            "/api/v1/invocations/inv_1, gateway",
            "/api/v1/deliveries/dlv_1/replay, gateway",
            "/api/v1/webhooks, gateway",
            "/api/v1/webhooks/whk_1/deliveries, gateway",
            "/api/health, governance",
            "/internal/v1/agents/agt_1, -",
    })
    void routesEachPathToItsOwner(String path, String service) {
        assertThat(table.match(path)).get().extracting(RouteTable.Route::service).isEqualTo(service);
    }

    @ParameterizedTest
    @CsvSource({"/", "/api", "/api/v1", "/api/v1/external-agentsX", "/api/v2/policies", "/q/health", "/internalx",
            "/api/health/x", "/api/healthz"})
    void unknownPathsMatchNothing(String path) {
        assertThat(table.match(path)).isEmpty();
    }

    @Test
    void anEmptySegmentIsNoId() {
        // falls through to the registry's subtree, which answers 404 itself
        assertThat(table.match("/api/v1/external-agents//invoke")).get().extracting(RouteTable.Route::service).isEqualTo("registry");
    }

    @Test
    void theMostSpecificRouteWinsWhateverTheOrderOfTheLines() {
        RouteTable reversed = RouteTable.parse(List.of(
                "/api/v1/external-agents/**  registry",
                "/api/v1/external-agents/{id}/invoke  gateway"));
        assertThat(reversed.match("/api/v1/external-agents/agt_1/invoke")).get().extracting(RouteTable.Route::service).isEqualTo("gateway");
        assertThat(reversed.routes()).extracting(RouteTable.Route::pattern)
                .containsExactly("/api/v1/external-agents/{id}/invoke", "/api/v1/external-agents/**");
    }

    @Test
    void rejectsMalformedLines() {
        assertThatThrownBy(() -> RouteTable.parse(List.of("/api/v1/x")))
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> RouteTable.parse(List.of("/api/*/x registry")))
                .hasMessageContaining("bad route pattern");
    }
}
