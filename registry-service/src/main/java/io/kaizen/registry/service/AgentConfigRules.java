package io.kaizen.registry.service;

import java.net.URI;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.egress.EgressDeniedException;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.TextLength;
import io.kaizen.registry.domain.AuthType;
import io.kaizen.registry.domain.Platform;

/**
 * What each platform needs in {@code platform_config} and each auth type in {@code credentials}, checked with a
 * precise 400 naming the field. Secrets (bot tokens, integration tokens, webhook URLs that embed a secret) are
 * split off so they are only ever stored encrypted. Pure: no I/O but the egress guard's static URL checks.
 */
public final class AgentConfigRules {

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");
    private static final Set<String> FORBIDDEN_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "upgrade", "te", "trailer", "keep-alive", "proxy-authorization", "expect");
    private static final Pattern SECRET_KEY_NAME = Pattern.compile(
            "(?i).*(token|secret|password|passwd|api_?key|apikey|private_?key|credential|authorization|signature).*");
    private static final int MAX_STRING = 4096;

    private enum Kind { URL, SECRET_URL, TEXT, SECRET_TEXT }

    private record Field(String name, Kind kind, boolean required, Pattern pattern, String expected) {

        static Field url(String name) {
            return new Field(name, Kind.URL, false, null, null);
        }

        static Field secretUrl(String name) {
            return new Field(name, Kind.SECRET_URL, true, null, null);
        }

        static Field text(String name, String regex, String expected) {
            return new Field(name, Kind.TEXT, false, Pattern.compile(regex), expected);
        }

        Field mandatory() {
            return new Field(name, kind, true, pattern, expected);
        }

        boolean secret() {
            return kind == Kind.SECRET_URL || kind == Kind.SECRET_TEXT;
        }
    }

    private record PlatformRule(List<Field> fields, String defaultEndpoint) {
    }

    private static final Field STUDIO_BASE_URL = Field.url("studio_base_url");

    private static final Map<Platform, PlatformRule> PLATFORMS = Map.of(
            Platform.TEAMS, new PlatformRule(List.of(Field.secretUrl("webhook_url"), STUDIO_BASE_URL,
                    Field.url("icon_url"), Field.text("card_format", "adaptive_card|message_card",
                            "adaptive_card or message_card")), null),
            Platform.DISCORD, new PlatformRule(List.of(Field.secretUrl("webhook_url"), STUDIO_BASE_URL,
                    Field.text("username", "(?i)(?!.*(discord|clyde))[^\\n]{1,80}",
                            "1–80 characters without \"discord\" or \"clyde\" (Discord refuses those)"),
                    Field.url("avatar_url"),
                    Field.url("footer_icon_url")), null),
            Platform.SLACK, new PlatformRule(List.of(Field.secretUrl("webhook_url"), STUDIO_BASE_URL,
                    Field.text("channel", "[#@]?[A-Za-z0-9._-]{1,80}", "a channel name")), null),
            Platform.TELEGRAM, new PlatformRule(List.of(
                    new Field("bot_token", Kind.SECRET_TEXT, true, Pattern.compile("[0-9]{3,20}:[A-Za-z0-9_-]{20,100}"),
                            "a bot token like 123456789:ABCdef… from @BotFather"),
                    Field.text("chat_id", "-?[0-9]{1,20}|@[A-Za-z0-9_]{5,32}", "a numeric chat id or @channelname")
                            .mandatory(),
                    Field.text("parse_mode", "MarkdownV2",
                            "MarkdownV2 (the gateway writes and escapes every message in MarkdownV2)"), STUDIO_BASE_URL),
                    "https://api.telegram.org"),
            Platform.NOTION, new PlatformRule(List.of(
                    Field.text("database_id", "[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                            "a 32-character Notion database id").mandatory(),
                    new Field("token", Kind.SECRET_TEXT, false, Pattern.compile("[A-Za-z0-9_-]{20,200}"),
                            "a Notion integration token"),
                    Field.text("notion_version", "[0-9]{4}-[0-9]{2}-[0-9]{2}", "a date like 2022-06-28"),
                    STUDIO_BASE_URL), "https://api.notion.com"));

    private static final Map<AuthType, List<String>> REQUIRED_CREDENTIALS = Map.of(
            AuthType.NONE, List.of(),
            AuthType.API_KEY, List.of("api_key"),
            AuthType.BEARER_TOKEN, List.of("token"),
            AuthType.BASIC, List.of("username", "password"),
            AuthType.OAUTH2, List.of("client_id", "client_secret", "token_url"),
            AuthType.CUSTOM, List.of("headers"),
            AuthType.HMAC, List.of("secret_key"));

    private static final Map<AuthType, Set<String>> OPTIONAL_CREDENTIALS = Map.of(
            AuthType.API_KEY, Set.of("header_name"),
            AuthType.OAUTH2, Set.of("scope", "audience"),
            AuthType.HMAC, Set.of("algorithm", "header_name"));

    private final EgressGuard egress;

    public AgentConfigRules(EgressGuard egress) {
        this.egress = egress;
    }

    /**
     * Validates a full configuration. {@code existingSecrets} are kept where the caller sends {@code "***"} for a
     * secret field (a client echoing back what it read).
     */
    public AgentConfig validate(Platform platform, String endpointUrl, Map<String, Object> platformConfig,
            AuthType authType, Map<String, Object> credentials, Map<String, Object> existingSecrets) {
        Map<String, Object> config = platformConfig == null ? Map.of() : platformConfig;
        Map<String, Object> publicConfig = new LinkedHashMap<>();
        Map<String, Object> secrets = new LinkedHashMap<>();
        PlatformRule rule = PLATFORMS.get(platform);
        if (rule == null) {
            splitCustom(config, publicConfig, secrets, existingSecrets);
        } else {
            splitKnown(platform, rule, config, publicConfig, secrets, existingSecrets);
        }
        Map<String, Object> creds = validateCredentials(authType, credentials == null ? Map.of() : credentials);
        if (platform == Platform.NOTION && !secrets.containsKey("token") && authType != AuthType.BEARER_TOKEN) {
            throw ProblemException.validation("Field 'platform_config.token' is required for notion unless "
                    + "auth_config.auth_type is bearer_token");
        }
        String endpoint = endpoint(platform, rule, endpointUrl, secrets);
        return new AgentConfig(endpoint, publicConfig, secrets, authType, creds);
    }

    private void splitKnown(Platform platform, PlatformRule rule, Map<String, Object> config,
            Map<String, Object> publicConfig, Map<String, Object> secrets, Map<String, Object> existingSecrets) {
        Set<String> known = rule.fields().stream().map(Field::name).collect(java.util.stream.Collectors.toSet());
        for (String key : config.keySet()) {
            if (!known.contains(key)) {
                throw ProblemException.validation("Unknown field 'platform_config." + key + "' for platform "
                        + platform.wire());
            }
        }
        for (Field field : rule.fields()) {
            String path = "platform_config." + field.name();
            Object value = config.get(field.name());
            if (field.secret() && AgentConfig.MASK.equals(value) && existingSecrets.containsKey(field.name())) {
                value = existingSecrets.get(field.name());
            }
            if (value == null) {
                if (field.required()) {
                    throw ProblemException.validation("Field '" + path + "' is required for platform " + platform.wire());
                }
                continue;
            }
            String text = requireString(path, value);
            switch (field.kind()) {
                case URL, SECRET_URL -> requireUrl(path, text);
                case TEXT, SECRET_TEXT -> {
                    if (field.pattern() != null && !field.pattern().matcher(text).matches()) {
                        throw ProblemException.validation("Field '" + path + "' must be " + field.expected());
                    }
                }
            }
            if (field.secret()) {
                secrets.put(field.name(), text);
                publicConfig.put(field.name(), AgentConfig.MASK);
            } else {
                publicConfig.put(field.name(), text);
            }
        }
    }

    /** custom_http takes any JSON object; values under secret-looking keys are kept encrypted. */
    private static void splitCustom(Map<String, Object> config, Map<String, Object> publicConfig,
            Map<String, Object> secrets, Map<String, Object> existingSecrets) {
        for (Map.Entry<String, Object> entry : config.entrySet()) {
            if (entry.getKey().isBlank() || TextLength.of(entry.getKey()) > 100) {
                throw ProblemException.validation("Field names in 'platform_config' must have 1–100 characters");
            }
            if (SECRET_KEY_NAME.matcher(entry.getKey()).matches()) {
                Object value = AgentConfig.MASK.equals(entry.getValue()) && existingSecrets.containsKey(entry.getKey())
                        ? existingSecrets.get(entry.getKey()) : entry.getValue();
                secrets.put(entry.getKey(), value);
                publicConfig.put(entry.getKey(), AgentConfig.MASK);
            } else {
                publicConfig.put(entry.getKey(), entry.getValue());
            }
        }
    }

    private Map<String, Object> validateCredentials(AuthType authType, Map<String, Object> credentials) {
        List<String> required = REQUIRED_CREDENTIALS.get(authType);
        Set<String> optional = OPTIONAL_CREDENTIALS.getOrDefault(authType, Set.of());
        for (String key : credentials.keySet()) {
            if (!required.contains(key) && !optional.contains(key)) {
                throw ProblemException.validation("Unknown field 'auth_config.credentials." + key + "' for auth_type "
                        + authType.wire());
            }
        }
        for (String key : required) {
            if (credentials.get(key) == null) {
                throw ProblemException.validation("Field 'auth_config.credentials." + key + "' is required for auth_type "
                        + authType.wire());
            }
        }
        Map<String, Object> valid = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : credentials.entrySet()) {
            String path = "auth_config.credentials." + entry.getKey();
            if (entry.getKey().equals("headers")) {
                valid.put("headers", customHeaders(path, entry.getValue()));
                continue;
            }
            String value = requireString(path, entry.getValue());
            switch (entry.getKey()) {
                case "token_url" -> requireUrl(path, value);
                case "header_name" -> {
                    requireHeaderName(path, value);
                    if (FORBIDDEN_HEADERS.contains(value.toLowerCase(Locale.ROOT)) || isGatewayHeader(value)) {
                        throw ProblemException.validation("Field '" + path + "' must not name the " + value
                                + " header, which the gateway sets itself");
                    }
                }
                case "algorithm" -> {
                    if (!value.equals("sha256") && !value.equals("sha512")) {
                        throw ProblemException.validation("Field '" + path + "' must be sha256 or sha512");
                    }
                }
                case "secret_key" -> {
                    if (value.length() < 16) {
                        throw ProblemException.validation("Field '" + path + "' must have at least 16 characters");
                    }
                    // a Standard Webhooks secret: the gateway signs with the bytes the base64 after the prefix stands for
                    if (value.startsWith("whsec_") && !isBase64(value.substring("whsec_".length()))) {
                        throw ProblemException.validation("Field '" + path + "' must be base64 after whsec_");
                    }
                }
                default -> {
                }
            }
            valid.put(entry.getKey(), value);
        }
        return valid;
    }

    private static Map<String, String> customHeaders(String path, Object value) {
        if (!(value instanceof Map<?, ?> map) || map.isEmpty() || map.size() > 20) {
            throw ProblemException.validation("Field '" + path + "' must be an object of 1–20 header names and values");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<?, ?> header : map.entrySet()) {
            String name = String.valueOf(header.getKey());
            requireHeaderName(path, name);
            if (FORBIDDEN_HEADERS.contains(name.toLowerCase(Locale.ROOT)) || isGatewayHeader(name)) {
                throw ProblemException.validation("Field '" + path + "' must not set the " + name + " header");
            }
            String headerValue = requireString(path + "." + name, header.getValue());
            if (headerValue.indexOf('\r') >= 0 || headerValue.indexOf('\n') >= 0) {
                throw ProblemException.validation("Field '" + path + "." + name + "' must not contain line breaks");
            }
            headers.put(name, headerValue);
        }
        return headers;
    }

    private String endpoint(Platform platform, PlatformRule rule, String endpointUrl, Map<String, Object> secrets) {
        if (endpointUrl != null) {
            requireUrl("endpoint_url", endpointUrl);
            return endpointUrl;
        }
        if (platform == Platform.CUSTOM_HTTP) {
            throw ProblemException.validation("Field 'endpoint_url' is required for platform custom_http");
        }
        if (rule.defaultEndpoint() != null) {
            return rule.defaultEndpoint();
        }
        // Webhook platforms: the webhook URL is the destination and a secret; what is shown is its origin.
        URI webhook = URI.create((String) secrets.get("webhook_url"));
        return webhook.getScheme() + "://" + webhook.getRawAuthority();
    }

    /** Most {@code notify} channels of one agent. */
    public static final int MAX_NOTIFY_CHANNELS = 10;
    private static final Set<String> OUTCOMES = Set.of(AgentDefinition.Notify.COMPLETED, AgentDefinition.Notify.FAILED);

    /**
     * An agent's {@code notify} channels as stored and handed to the gateway, or a 400 naming the field: a known
     * type with what it needs ({@code email}: 1–50 plain addresses; {@code agent}: an agent id; {@code webhook}: a URL
     * the egress guard allows), and {@code on} among completed and failed (both when absent).
     */
    public List<AgentDefinition.Notify> notify(List<AgentDefinition.Notify> channels) {
        if (channels == null) {
            return List.of();
        }
        if (channels.size() > MAX_NOTIFY_CHANNELS) {
            throw ProblemException.validation("Field 'notify' holds at most " + MAX_NOTIFY_CHANNELS + " channels");
        }
        List<AgentDefinition.Notify> valid = new java.util.ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            AgentDefinition.Notify channel = channels.get(i);
            String at = "notify[" + i + "]";
            List<String> on = channel.on() == null || channel.on().isEmpty()
                    ? List.of(AgentDefinition.Notify.COMPLETED, AgentDefinition.Notify.FAILED)
                    : List.copyOf(new java.util.LinkedHashSet<>(channel.on()));
            if (!OUTCOMES.containsAll(on)) {
                throw ProblemException.validation("Field '" + at + ".on' must hold completed and/or failed");
            }
            String type = channel.type() == null ? "" : channel.type();
            valid.add(switch (type) {
                case NotificationEvent.Channel.EMAIL -> {
                    List<String> to = channel.to() == null ? List.of() : channel.to();
                    if (to.isEmpty() || to.size() > NotificationEvent.Channel.MAX_RECIPIENTS) {
                        throw ProblemException.validation("Field '" + at + ".to' must hold 1 to "
                                + NotificationEvent.Channel.MAX_RECIPIENTS + " e-mail addresses");
                    }
                    for (int j = 0; j < to.size(); j++) {
                        if (!NotificationEvent.Channel.isEmailAddress(to.get(j))) {
                            throw ProblemException.validation("Field '" + at + ".to[" + j
                                    + "]' is not a valid e-mail address (a plain name@domain.tld)");
                        }
                    }
                    yield new AgentDefinition.Notify(type, List.copyOf(to), null, null, on);
                }
                case NotificationEvent.Channel.AGENT -> {
                    if (channel.agentId() == null || !PrefixedId.isValid(PrefixedId.AGENT, channel.agentId())) {
                        throw ProblemException.validation("Field '" + at + ".agent_id' must be an agent id (agt_…)");
                    }
                    yield new AgentDefinition.Notify(type, null, channel.agentId(), null, on);
                }
                case NotificationEvent.Channel.WEBHOOK -> {
                    if (channel.url() == null) {
                        throw ProblemException.validation("Field '" + at + ".url' is required for a webhook channel");
                    }
                    requireUrl(at + ".url", channel.url());
                    yield new AgentDefinition.Notify(type, null, null, channel.url(), on);
                }
                default -> throw ProblemException.validation("Field '" + at + ".type' must be email, agent or webhook");
            });
        }
        return valid;
    }

    private void requireUrl(String path, String value) {
        if (TextLength.of(value) > 2048) {
            throw ProblemException.validation("Field '" + path + "' is longer than 2048 characters");
        }
        try {
            egress.checkStatic(value);
        } catch (EgressDeniedException e) {
            throw ProblemException.validation("Field '" + path + "' is not an allowed URL: " + e.getMessage());
        }
    }

    private static boolean isBase64(String text) {
        try {
            return Base64.getDecoder().decode(text).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Headers the gateway sets on every outbound call; credentials never replace them (adapter-gateway OutboundAuth). */
    private static boolean isGatewayHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("traceparent") || lower.equals("content-type") || lower.startsWith("x-kaizen-")
                || lower.startsWith("webhook-");
    }

    private static void requireHeaderName(String path, String value) {
        if (!HEADER_NAME.matcher(value).matches()) {
            throw ProblemException.validation("Field '" + path + "' must be a valid HTTP header name");
        }
    }

    private static String requireString(String path, Object value) {
        if (!(value instanceof String text)) {
            throw ProblemException.validation("Field '" + path + "' must be a string");
        }
        if (text.isBlank()) {
            throw ProblemException.validation("Field '" + path + "' must not be blank");
        }
        if (TextLength.of(text) > MAX_STRING) {
            throw ProblemException.validation("Field '" + path + "' is longer than " + MAX_STRING + " characters");
        }
        return text;
    }
}
