package io.kaizen.common.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name into addresses for the {@link EgressGuard}. The system resolver unless a service provides
 * another bean of this type (tests use one whose answer changes between calls, as a rebinding DNS server would).
 */
@FunctionalInterface
public interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}
