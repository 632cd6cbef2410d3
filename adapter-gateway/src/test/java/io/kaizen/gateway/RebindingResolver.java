package io.kaizen.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

import io.kaizen.common.egress.HostResolver;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The gateway's resolver in these tests: the system one, except for {@link #HOST}, which behaves like a rebinding
 * DNS server: its first answer is the test agent's loopback address (allowed in tests), every later answer a
 * private address.
 */
@ApplicationScoped
public class RebindingResolver implements HostResolver {

    static final String HOST = "agent.rebinding.test";
    static final String PRIVATE_ADDRESS = "10.255.255.1";

    private final AtomicInteger lookups = new AtomicInteger();

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        if (!HOST.equals(host)) {
            return SYSTEM.resolve(host);
        }
        String answer = lookups.getAndIncrement() == 0 ? "127.0.0.1" : PRIVATE_ADDRESS;
        return new InetAddress[] { InetAddress.getByAddress(HOST, InetAddress.getByName(answer).getAddress()) };
    }

    /** How often {@link #HOST} was resolved since the last {@link #reset()}. */
    int lookups() {
        return lookups.get();
    }

    /** The next lookup of {@link #HOST} is a first one again. */
    void reset() {
        lookups.set(0);
    }
}
