package io.kaizen.common.config;

import java.util.List;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * Refuses to start a service in production with a development default ({@link ProductionSettings}): the one check of
 * every setting that secures the suite. It runs before anything else at start-up, in every profile but {@code dev}
 * and {@code test} (so in {@code prod}, a packaged service's default, and in any profile of an operator's own), and
 * names every offending setting with its environment variable in one message. The dev and test profiles, and the
 * devstack that runs the packaged services in the dev profile, keep their local values.
 */
@ApplicationScoped
public class ProductionStartupCheck {

    private static final Logger LOG = Logger.getLogger(ProductionStartupCheck.class);

    void refuseDevelopmentDefaults(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent started,
            Config config) {
        if (LaunchMode.current() != LaunchMode.NORMAL || ConfigUtils.isProfileActive("dev")
                || ConfigUtils.isProfileActive("test")) {
            return;
        }
        String service = config.getOptionalValue("quarkus.application.name", String.class).orElse("");
        List<String> refusals = ProductionSettings.refusals(service, config);
        if (!refusals.isEmpty()) {
            String message = service + " refuses to start with development settings outside the dev and test"
                    + " profiles: " + String.join("; ", refusals);
            // logged as well, so that the refusal is a record (JSON in production) of the service's own log; Quarkus
            // prints a configuration failure to stderr as plain text only
            LOG.error(message);
            throw new ConfigurationException(message);
        }
    }
}
