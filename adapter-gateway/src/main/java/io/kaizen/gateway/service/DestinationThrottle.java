package io.kaizen.gateway.service;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.kaizen.gateway.config.DeliveryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Token buckets per destination, at the platforms' published rates (original-spec §4.1): a Slack webhook 1
 * request/s, a Discord webhook 5 per 2 s, a Teams webhook about 1/s, a Telegram bot 30/s and 20 per minute to one
 * chat, a Notion integration 3/s; any other destination host {@code kaizen.deliveries.default-throttle-*}. A
 * delivery without a token is not sent but told how long to wait, and the dispatcher reschedules it.
 *
 * <p>The buckets live in the replica: with several replicas a destination may see up to that many times the rate,
 * and its 429 with {@code Retry-After} then holds the deliveries back. Bucket keys are hashes, since webhook URLs
 * and tokens are secrets.
 */
@ApplicationScoped
public class DestinationThrottle {

    /** {@code requests} per {@code period}, in a burst of at most {@code requests}. */
    public record Rate(int requests, Duration period) {

        double perNano() {
            return requests / (double) period.toNanos();
        }
    }

    static final Map<String, Rate> PLATFORM_RATES = Map.of(
            "slack", new Rate(1, Duration.ofSeconds(1)),
            "discord", new Rate(5, Duration.ofSeconds(2)),
            "teams", new Rate(1, Duration.ofSeconds(1)),
            "telegram", new Rate(30, Duration.ofSeconds(1)),
            "notion", new Rate(3, Duration.ofSeconds(1)));
    static final Rate TELEGRAM_CHAT = new Rate(20, Duration.ofMinutes(1));

    private record Limit(String key, Rate rate) {
    }

    /** Guarded by the throttle: a delivery takes from all of its buckets or none. */
    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(Rate rate, long nowNanos) {
            tokens = rate.requests();
            updatedNanos = nowNanos;
        }

        void refill(Rate rate, long nowNanos) {
            if (nowNanos > updatedNanos) {
                tokens = Math.min(rate.requests(), tokens + (nowNanos - updatedNanos) * rate.perNano());
                updatedNanos = nowNanos;
            }
        }

        long nanosUntilToken(Rate rate) {
            return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / rate.perNano());
        }
    }

    private final Rate defaultRate;
    private final ObjectMapper mapper;
    /** Idle buckets are full again after their period; dropping them after a while changes nothing. */
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(10, TimeUnit.MINUTES)
            .maximumSize(100_000)
            .build();

    @Inject
    DestinationThrottle(DeliveryConfig config, ObjectMapper mapper) {
        this(new Rate(config.defaultThrottleRequests(), config.defaultThrottlePeriod()), mapper);
    }

    DestinationThrottle(Rate defaultRate, ObjectMapper mapper) {
        this.defaultRate = defaultRate;
        this.mapper = mapper;
    }

    /**
     * Takes a token for one request to this destination at {@code now}: zero when it may go, else how long until
     * it may (nothing is taken then).
     */
    public Duration acquire(String platform, String url, Map<String, String> headers, byte[] body, Instant now) {
        List<Limit> limits = limits(platform, url, headers, body);
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        synchronized (this) {
            long wait = 0;
            List<Bucket> taken = new ArrayList<>(limits.size());
            for (Limit limit : limits) {
                Bucket bucket = buckets.get(limit.key(), key -> new Bucket(limit.rate(), nowNanos));
                bucket.refill(limit.rate(), nowNanos);
                wait = Math.max(wait, bucket.nanosUntilToken(limit.rate()));
                taken.add(bucket);
            }
            if (wait > 0) {
                return Duration.ofNanos(wait);
            }
            taken.forEach(bucket -> bucket.tokens -= 1);
            return Duration.ZERO;
        }
    }

    /** The buckets a request draws from: the platform's unit (webhook, bot, integration), else the host. */
    private List<Limit> limits(String platform, String url, Map<String, String> headers, byte[] body) {
        Rate rate = platform == null ? null : PLATFORM_RATES.get(platform);
        if (rate == null) {
            return List.of(new Limit(hash("host", host(url)), defaultRate));
        }
        return switch (platform) {
            case "telegram" -> {
                Limit bot = new Limit(hash(platform, url), rate);
                String chat = chatId(body);
                yield chat == null ? List.of(bot) : List.of(bot, new Limit(hash("telegram-chat", url + "#" + chat), TELEGRAM_CHAT));
            }
            // one integration is one token, whatever page it writes to
            case "notion" -> List.of(new Limit(hash(platform, url + "#" + authorization(headers)), rate));
            default -> List.of(new Limit(hash(platform, url), rate));
        };
    }

    private String chatId(byte[] body) {
        try {
            JsonNode chat = mapper.readTree(body).get("chat_id");
            return chat == null ? null : chat.asText();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static String authorization(Map<String, String> headers) {
        return headers.entrySet().stream().filter(header -> header.getKey().equalsIgnoreCase("Authorization"))
                .map(Map.Entry::getValue).findFirst().orElse("");
    }

    private static String host(String url) {
        try {
            URI uri = URI.create(url);
            return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    private static String hash(String kind, String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return kind + ":" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
