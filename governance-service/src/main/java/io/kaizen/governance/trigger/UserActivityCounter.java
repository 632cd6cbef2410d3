package io.kaizen.governance.trigger;

import java.time.Duration;
import java.util.List;

import io.kaizen.governance.redis.LuaScript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.enterprise.context.ApplicationScoped;

/** Counts each user's decisions per agent in a sliding window, for the per-user rate approval trigger. */
@ApplicationScoped
public class UserActivityCounter {

    private static final LuaScript SCRIPT = LuaScript.load("/redis/user_activity.lua");

    private final RedisAPI redis;

    UserActivityCounter(RedisAPI redis) {
        this.redis = redis;
    }

    /** Records this decision and emits how many earlier ones the user made inside the window. */
    public Uni<Long> recordAndCountPrior(String agentId, String userId, String decisionId, Duration window) {
        return SCRIPT.run(redis, List.of("{" + agentId + "}:ut:" + userId),
                List.of(decisionId, Long.toString(window.toMillis()))).map(response -> response.toLong());
    }
}
