package io.kaizen.gateway.adapter;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.kaizen.common.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** Adapters by platform key: a new platform is one {@link PlatformAdapter} bean. */
@ApplicationScoped
public class PlatformAdapters {

    private final Map<String, PlatformAdapter> byPlatform;

    PlatformAdapters(Instance<PlatformAdapter> adapters) {
        this.byPlatform = adapters.stream().collect(Collectors.toMap(PlatformAdapter::platform, Function.identity()));
    }

    public PlatformAdapter forPlatform(String platform) {
        PlatformAdapter adapter = byPlatform.get(platform);
        if (adapter == null) {
            throw ProblemException.conflict("Invoking agents on platform '" + platform + "' is not available yet");
        }
        return adapter;
    }
}
