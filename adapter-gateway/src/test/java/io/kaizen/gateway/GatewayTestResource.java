package io.kaizen.gateway;

import java.util.LinkedHashMap;
import java.util.Map;

import io.kaizen.devstack.DevStackTestResource;

/**
 * The devstack for the gateway, with registry's, governance's and approval-service's internal API played by {@link InternalApiStandIn}
 * (the real services are other modules; the stand-in answers what the invoke path asks them).
 */
public class GatewayTestResource extends DevStackTestResource {

    @Override
    public void init(Map<String, String> initArgs) {
        super.init(Map.of(SERVICE_ARG, "gateway"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new LinkedHashMap<>(super.start());
        String url = InternalApiStandIn.start(stack().serviceToken()).url();
        config.put("quarkus.rest-client.registry.url", url);
        config.put("quarkus.rest-client.governance.url", url);
        config.put("quarkus.rest-client.approval.url", url);
        // an agent leaves the cache by its event only, never by age, within a test run
        config.put("kaizen.gateway.agent-cache.ttl", "1h");
        // the stand-in holds reads on purpose (AgentCacheTest); a held read must not time out meanwhile
        config.put("quarkus.rest-client.registry.read-timeout", "60000");
        // deliveries retry within a test's patience: waits up to 100 ms, 200 ms, 400 ms; 4 attempts; and only the
        // platform rates throttle (DeliveryDispatchTest), not the shared sink host
        config.put("kaizen.deliveries.base-delay", "100ms");
        config.put("kaizen.deliveries.max-delay", "400ms");
        config.put("kaizen.deliveries.max-attempts", "4");
        config.put("kaizen.deliveries.default-throttle-requests", "1000");
        // a webhook is disabled after 3 failed deliveries in a row (WebhookDeliveryTest)
        config.put("kaizen.webhooks.disable-after", "3");
        // e-mail goes to a real SMTP server in this JVM; a connection per mail, so a refusal it is told to give
        // meets the next mail
        config.put("quarkus.mailer.host", "127.0.0.1");
        config.put("quarkus.mailer.port", String.valueOf(SmtpStandIn.start().port()));
        config.put("quarkus.mailer.keep-alive", "false");
        return config;
    }
}
