package io.kaizen.governance.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;

/**
 * A Lua script from {@code src/main/resources/redis/}, run by its SHA-1 ({@code EVALSHA}) and sent whole only when
 * Redis does not know it yet (after a restart, a flush or an eviction of the script cache).
 */
public final class LuaScript {

    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    public static LuaScript load(String resource) {
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing Lua script " + resource);
            }
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("unreadable Lua script " + resource, e);
        }
    }

    public Uni<Response> run(RedisAPI redis, List<String> keys, List<String> args) {
        List<String> call = new ArrayList<>(keys.size() + args.size() + 2);
        call.add(sha);
        call.add(Integer.toString(keys.size()));
        call.addAll(keys);
        call.addAll(args);
        return redis.evalsha(call)
                .onFailure(e -> e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"))
                .recoverWithUni(() -> {
                    List<String> eval = new ArrayList<>(call);
                    eval.set(0, source);
                    return redis.eval(eval);
                });
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
