package io.kaizen.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.kaizen.common.egress.HostResolver;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The gateway's resolver in these tests: the system one, except for {@link #HOST}, which behaves like a rebinding
 * DNS server: its first answer is the test agent's loopback address (allowed in tests), every later answer a
 * private address. {@link #GATHERING_HOST} resolves to the loopback address once as many lookups of it as
 * {@link #gather(int)} asked for are under way at the same time.
 */
@ApplicationScoped
public class RebindingResolver implements HostResolver {

    static final String HOST = "agent.rebinding.test";
    static final String PRIVATE_ADDRESS = "10.255.255.1";
    static final String GATHERING_HOST = "agent.gathering.test";

    private final AtomicInteger lookups = new AtomicInteger();
    private volatile CyclicBarrier gathering = new CyclicBarrier(1);

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        if (GATHERING_HOST.equals(host)) {
            try {
                gathering.await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new UnknownHostException("lookups of " + host + " did not run side by side: " + e);
            }
            return new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
        }
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

    /** Lookups of {@link #GATHERING_HOST} answer only once this many of them are waiting together. */
    void gather(int lookups) {
        gathering = new CyclicBarrier(lookups);
    }

    /** The next lookup of {@link #HOST} is a first one again. */
    void reset() {
        lookups.set(0);
    }
}
