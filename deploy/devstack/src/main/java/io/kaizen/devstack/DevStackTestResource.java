package io.kaizen.devstack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} the real PostgreSQL, Redis and Kafka of {@link DevStack#shared()}:
 *
 * <pre>{@code
 * @QuarkusTestResource(value = DevStackTestResource.class,
 *         initArgs = @ResourceArg(name = "service", value = "registry"))
 * }</pre>
 *
 * The other services' REST clients point at the stack's {@link Sink}, so a call to a service that is not running
 * answers at once instead of hanging; {@code kaizen.devstack.sink-url} names it. The stack outlives the test
 * class and stops with the JVM; tests reach it through {@link #stack()} to stop a dependency or sign tokens.
 */
public class DevStackTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE_ARG = "service";
    public static final String SINK_URL_PROPERTY = "kaizen.devstack.sink-url";

    private Service service;

    @Override
    public void init(Map<String, String> initArgs) {
        String name = initArgs.get(SERVICE_ARG);
        if (name == null) {
            throw new IllegalArgumentException("DevStackTestResource needs initArgs = @ResourceArg(name = \"service\", value = \"<short name>\")");
        }
        service = Service.byShortName(name);
    }

    @Override
    public Map<String, String> start() {
        if (service == null) {
            throw new IllegalStateException("DevStackTestResource was not given the 'service' init argument");
        }
        DevStack stack = DevStack.shared();
        Map<String, String> config = new LinkedHashMap<>(stack.serviceConfig(service));
        for (Service other : Service.values()) {
            if (other != service) {
                config.put("quarkus.rest-client." + other.shortName() + ".url", stack.sinkUrl());
            }
        }
        // In test mode smallrye-jwt generates an in-memory key pair and configures its public key inline, which
        // beats a key location; the development key is given inline too so it wins over the generated one.
        config.put("mp.jwt.verify.publickey", stack.keys().publicKeyBase64());
        config.put(SINK_URL_PROPERTY, stack.sinkUrl());
        return config;
    }

    @Override
    public void stop() {
        // the shared stack serves every test class of the JVM and stops with it
    }

    /** The stack the tests of this JVM run against. */
    public static DevStack stack() {
        return DevStack.shared();
    }
}
