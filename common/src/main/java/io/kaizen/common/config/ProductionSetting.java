package io.kaizen.common.config;

import java.util.Optional;
import java.util.function.Function;

import org.eclipse.microprofile.config.Config;

/**
 * One setting production must not leave at a development default: its property, the environment variable an
 * operator sets it with, and the check that says what is wrong with it (empty when nothing is).
 */
public record ProductionSetting(String property, String environment, Function<Config, Optional<String>> problem) {

    /** The refusal's sentence, naming the property and its variable, or empty when the setting is fine. */
    public Optional<String> refusal(Config config) {
        return problem.apply(config).map(reason -> property + " (env " + environment + ") " + reason);
    }

    /** The variable Quarkus maps {@code property} from: upper case, every other character an underscore. */
    public static String environmentOf(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
