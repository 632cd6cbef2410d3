package io.kaizen.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

/** How invocation records are group-committed ({@code service.InvocationRecorder}). */
@ConfigMapping(prefix = "kaizen.gateway.record")
public interface RecordConfig {

    /**
     * The most invocations (each with its event) written in one transaction. Callers waiting beyond it go into the
     * next transaction, which starts as soon as this one commits.
     */
    @WithDefault("256")
    @Min(1)
    int batchSize();
}
