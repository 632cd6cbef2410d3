package io.kaizen.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Token buckets at the platforms' published rates, keyed by webhook, bot and chat, integration, or host. */
class DestinationThrottleTest {

    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
    private static final byte[] NO_BODY = new byte[0];
    private static final String SLACK = "https://hooks.slack.com/services/T000/B000/secret1";

    private final DestinationThrottle throttle = new DestinationThrottle(
            new DestinationThrottle.Rate(2, Duration.ofSeconds(1)), new ObjectMapper());

    @Test
    void aSlackWebhookTakesOneRequestPerSecond() {
        assertThat(throttle.acquire("slack", SLACK, Map.of(), NO_BODY, T0)).isZero();
        assertThat(throttle.acquire("slack", SLACK, Map.of(), NO_BODY, T0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.acquire("slack", SLACK, Map.of(), NO_BODY, T0.plusMillis(400)))
                .isEqualTo(Duration.ofMillis(600));
        assertThat(throttle.acquire("slack", SLACK, Map.of(), NO_BODY, T0.plusSeconds(1))).isZero();
    }

    @Test
    void eachWebhookHasItsOwnBucket() {
        assertThat(throttle.acquire("slack", SLACK, Map.of(), NO_BODY, T0)).isZero();
        assertThat(throttle.acquire("slack", SLACK.replace("secret1", "secret2"), Map.of(), NO_BODY, T0)).isZero();
    }

    @Test
    void aDiscordWebhookTakesABurstOfFiveThenOneEveryFourHundredMilliseconds() {
        String discord = "https://discord.com/api/webhooks/1/token";
        for (int i = 0; i < 5; i++) {
            assertThat(throttle.acquire("discord", discord, Map.of(), NO_BODY, T0)).isZero();
        }
        assertThat(throttle.acquire("discord", discord, Map.of(), NO_BODY, T0)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aTelegramChatTakesTwentyAMinuteWhileTheBotServesOtherChats() {
        String bot = "https://api.telegram.org/bot123:token/sendMessage";
        byte[] chat = "{\"chat_id\": 42, \"text\": \"hi\"}".getBytes(StandardCharsets.UTF_8);
        byte[] other = "{\"chat_id\": 43, \"text\": \"hi\"}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            assertThat(throttle.acquire("telegram", bot, Map.of(), chat, T0)).isZero();
        }
        assertThat(throttle.acquire("telegram", bot, Map.of(), chat, T0))
                .as("a token every 3 s once the burst of 20 is spent").isEqualTo(Duration.ofSeconds(3));
        assertThat(throttle.acquire("telegram", bot, Map.of(), other, T0)).isZero();
    }

    @Test
    void aWaitingTelegramChatTakesNothingFromItsBot() {
        String bot = "https://api.telegram.org/bot123:token/sendMessage";
        byte[] chat = "{\"chat_id\": 42}".getBytes(StandardCharsets.UTF_8);
        byte[] other = "{\"chat_id\": 43}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            throttle.acquire("telegram", bot, Map.of(), chat, T0);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(throttle.acquire("telegram", bot, Map.of(), chat, T0)).isPositive();
        }
        // the bot's 30 per second: 20 went to the first chat, the refused ones took none
        for (int i = 0; i < 10; i++) {
            assertThat(throttle.acquire("telegram", bot, Map.of(), other, T0)).as("request %d", i).isZero();
        }
        assertThat(throttle.acquire("telegram", bot, Map.of(), other, T0)).as("the bot's 31st").isPositive();
    }

    @Test
    void aNotionIntegrationTakesThreePerSecondAcrossPages() {
        String pages = "https://api.notion.com/v1/pages";
        Map<String, String> integration = Map.of("Authorization", "Bearer secret_a");
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.acquire("notion", pages, integration, NO_BODY, T0)).isZero();
        }
        assertThat(throttle.acquire("notion", pages, integration, NO_BODY, T0)).isPositive();
        assertThat(throttle.acquire("notion", pages, Map.of("Authorization", "Bearer secret_b"), NO_BODY, T0))
                .as("another integration").isZero();
    }

    @Test
    void anyOtherDestinationIsThrottledPerHostAtTheDefaultRate() {
        assertThat(throttle.acquire(null, "https://example.com/a", Map.of(), NO_BODY, T0)).isZero();
        assertThat(throttle.acquire(null, "https://example.com/b", Map.of(), NO_BODY, T0)).isZero();
        assertThat(throttle.acquire("custom_http", "https://example.com/c", Map.of(), NO_BODY, T0))
                .isEqualTo(Duration.ofMillis(500));
        assertThat(throttle.acquire(null, "https://example.org/a", Map.of(), NO_BODY, T0)).isZero();
    }
}
