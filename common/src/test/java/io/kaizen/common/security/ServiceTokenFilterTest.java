package io.kaizen.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which normalised paths the service token guards: every one routing could take to an internal resource. */
class ServiceTokenFilterTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/internal", "/internal/", "/internal/v1/agents/agt_1", "//internal/v1/agents/agt_1",
            "/internal;v=1/v1/agents/agt_1", "/internal;/v1/decisions" })
    void internalPathsNeedTheToken(String path) {
        assertThat(ServiceTokenFilter.isInternal(path)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/", "/api/v1/external-agents", "/internals/v1", "/api/internal/v1", "/q/health",
            "/Internal/v1/agents/agt_1" })
    void publicPathsDoNot(String path) {
        assertThat(ServiceTokenFilter.isInternal(path)).isFalse();
    }
}
