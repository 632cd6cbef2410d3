package io.kaizen.common.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.Config;

/**
 * The settings a service must not run in production with at a development default, and what is wrong with each:
 * the catalogue {@link ProductionStartupCheck} applies at start-up and docs/operations.md lists ("Production
 * settings"). Pure: it reads a {@link Config} and nothing else.
 */
public final class ProductionSettings {

    /** The development JWT issuer and audience (the devstack's DevKeys, common's dev and test defaults). */
    static final String DEV_ISSUER = "kaizen-dev";
    static final String DEV_AUDIENCE = "kaizen-dev-api";
    /** The devstack keeps the private key that signs development tokens beside the public one. */
    static final String DEV_PRIVATE_KEY = "jwt-private.pem";
    /** Secrets shorter than this are refused: 32 characters of a random token carry enough entropy. */
    static final int MIN_SECRET_LENGTH = 32;
    /** Placeholders of deploy/k8s/overlays/prod and the marker of every local default in this repository. */
    private static final List<String> PLACEHOLDERS = List.of("replace_me", "not-for-production");

    private ProductionSettings() {
    }

    /** The refusal of every setting {@code service} (its {@code quarkus.application.name}) has wrong in production. */
    public static List<String> refusals(String service, Config config) {
        List<String> refusals = new ArrayList<>();
        for (ProductionSetting setting : settings(service)) {
            setting.refusal(config).ifPresent(refusals::add);
        }
        return refusals;
    }

    /** Every setting production checks for {@code service}: the common ones, then the service's own. */
    public static List<ProductionSetting> settings(String service) {
        List<ProductionSetting> settings = new ArrayList<>(List.of(
                new ProductionSetting("mp.jwt.verify.issuer", "MP_JWT_VERIFY_ISSUER", config ->
                        value(config, "mp.jwt.verify.issuer").map(issuer -> issuer.equals(DEV_ISSUER)
                                ? Optional.of("is the development issuer " + DEV_ISSUER + ": set your identity"
                                        + " provider's issuer") : Optional.<String>empty())
                                .orElse(Optional.of("is not set: the issuer every caller's JWT must name"))),
                new ProductionSetting("mp.jwt.verify.audiences", "MP_JWT_VERIFY_AUDIENCES", config ->
                        value(config, "mp.jwt.verify.audiences").map(audiences -> Stream.of(audiences.split(","))
                                        .map(String::strip).anyMatch(DEV_AUDIENCE::equals)
                                ? Optional.of("contains the development audience " + DEV_AUDIENCE)
                                : Optional.<String>empty())
                                .orElse(Optional.of("is not set: the audience every caller's JWT must carry"))),
                new ProductionSetting("mp.jwt.verify.publickey.location",
                        "MP_JWT_VERIFY_PUBLICKEY_LOCATION or MP_JWT_VERIFY_PUBLICKEY",
                        ProductionSettings::jwtKey),
                secret("kaizen.internal.service-token", "the token the services present to each other on"
                        + " /internal/**"),
                new ProductionSetting("kaizen.egress.allow-loopback", "KAIZEN_EGRESS_ALLOW_LOOPBACK", config ->
                        config.getOptionalValue("kaizen.egress.allow-loopback", Boolean.class).orElse(false)
                                ? Optional.of("is true: outbound calls could reach this machine's own services")
                                : Optional.empty()),
                new ProductionSetting("kaizen.egress.https-only", "KAIZEN_EGRESS_HTTPS_ONLY", config ->
                        config.getOptionalValue("kaizen.egress.https-only", Boolean.class).orElse(false)
                                ? Optional.empty()
                                : Optional.of("is false: outbound calls could send credentials over plain http"))));
        switch (service) {
            case "registry-service" -> settings.add(new ProductionSetting("kaizen.crypto.keys",
                    "KAIZEN_CRYPTO_KEYS or EXTERNAL_AGENT_ENCRYPTION_KEY", ProductionSettings::credentialKeys));
            case "lineage-service" -> settings.add(secret("kaizen.lineage.audit.pseudonym-key",
                    "the key of the audit chain's pseudonyms of personal data"));
            case "approval-service" -> settings.add(secret("kaizen.approvals.link-key",
                    "the key that signs approver links"));
            case "adapter-gateway" -> settings.add(secret("kaizen.webhooks.encryption-key",
                    "the key of webhook signing secrets at rest"));
            default -> {
            }
        }
        for (String client : clients(service)) {
            settings.add(serviceUrl(client));
        }
        return settings;
    }

    /** The REST clients ({@code quarkus.rest-client.<name>.url}) a service calls other services with. */
    static List<String> clients(String service) {
        return switch (service) {
            case "registry-service" -> List.of("governance");
            case "governance-service" -> List.of("registry", "approval");
            case "adapter-gateway" -> List.of("registry", "governance", "approval");
            // API keys are verified by registry-service (common's ApiKeyVerificationClient)
            case "lineage-service", "approval-service" -> List.of("registry");
            default -> List.of();
        };
    }

    private static ProductionSetting secret(String property, String what) {
        return new ProductionSetting(property, ProductionSetting.environmentOf(property), config ->
                value(config, property).map(ProductionSettings::weakness)
                        .orElse(Optional.of("is not set: " + what)));
    }

    /** What is wrong with a secret's value: a placeholder, a local default, or too short. */
    private static Optional<String> weakness(String secret) {
        String lower = secret.toLowerCase(Locale.ROOT);
        if (PLACEHOLDERS.stream().anyMatch(lower::contains)) {
            return Optional.of("is a placeholder or a development value");
        }
        if (secret.length() < MIN_SECRET_LENGTH) {
            return Optional.of("is shorter than " + MIN_SECRET_LENGTH + " characters");
        }
        return Optional.empty();
    }

    /**
     * A key to verify JWTs is configured, it is not the devstack's (whose private key lies beside it) and, given inline,
     * not a placeholder.
     */
    private static Optional<String> jwtKey(Config config) {
        Optional<String> location = value(config, "mp.jwt.verify.publickey.location")
                .or(() -> value(config, "smallrye.jwt.verify.key.location"));
        if (location.isEmpty()) {
            Optional<String> inline = value(config, "mp.jwt.verify.publickey");
            if (inline.isEmpty()) {
                return Optional.of("is not set, nor mp.jwt.verify.publickey: no key to verify callers' JWTs with");
            }
            // the prod overlay's secret file says REPLACE_ME until an operator puts the issuer's key there
            return PLACEHOLDERS.stream().anyMatch(inline.get().toLowerCase(Locale.ROOT)::contains)
                    ? Optional.of("is not set, and mp.jwt.verify.publickey is a placeholder: set your identity"
                            + " provider's public key")
                    : Optional.empty();
        }
        String path = location.get().startsWith("file:") ? location.get().substring("file:".length())
                : location.get();
        try {
            Path parent = Path.of(path).toAbsolutePath().getParent();
            if (parent != null && Files.exists(parent.resolve(DEV_PRIVATE_KEY))) {
                return Optional.of("is the devstack's development key (its private key " + DEV_PRIVATE_KEY
                        + " lies beside it): use your identity provider's public key");
            }
        } catch (RuntimeException notAPath) {
            // a classpath or http location: not the devstack's key file
        }
        return Optional.empty();
    }

    /** registry-service's credential keys: at least one, under any of the names it reads, none a placeholder. */
    private static Optional<String> credentialKeys(Config config) {
        List<String> keys = new ArrayList<>();
        value(config, "kaizen.crypto.keys").ifPresent(list -> Stream.of(list.split(","))
                .map(String::strip).filter(key -> !key.isEmpty()).forEach(keys::add));
        value(config, "kaizen.crypto.original.key").ifPresent(keys::add);
        value(config, "kaizen.crypto.original.new-key").ifPresent(keys::add);
        if (keys.isEmpty()) {
            return Optional.of("is not set: agent credentials cannot be encrypted");
        }
        return keys.stream().anyMatch(key -> PLACEHOLDERS.stream().anyMatch(key.toLowerCase(Locale.ROOT)::contains))
                ? Optional.of("holds a placeholder or a development key") : Optional.empty();
    }

    /** Another service's URL: set, and not this machine (the local default of application.properties). */
    private static ProductionSetting serviceUrl(String client) {
        String property = "quarkus.rest-client." + client + ".url";
        return new ProductionSetting(property, ProductionSetting.environmentOf(property), config ->
                value(config, property).map(url -> loopback(url)
                                ? Optional.of("points at this machine (" + url + "), the local default: set the "
                                        + client + " service's address")
                                : Optional.<String>empty())
                        .orElse(Optional.of("is not set: the " + client + " service's address")));
    }

    private static boolean loopback(String url) {
        try {
            String host = URI.create(url.strip()).getHost();
            return host == null || host.equalsIgnoreCase("localhost") || host.startsWith("127.")
                    || host.equals("[::1]") || host.equals("::1");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Optional<String> value(Config config, String property) {
        return config.getOptionalValue(property, String.class).map(String::strip).filter(v -> !v.isEmpty());
    }
}
