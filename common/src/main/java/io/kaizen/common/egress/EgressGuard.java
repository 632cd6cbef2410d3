package io.kaizen.common.egress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one gate of every outbound request: http(s) only, every address the host resolves to must be public, and
 * the caller connects to the address checked here (never resolving again), so DNS rebinding cannot slip a private
 * address in between check and connect. Host names are resolved by a {@link HostResolver}. Redirects are the
 * sender's to refuse.
 */
public final class EgressGuard {

    private static final Pattern DOTTED_DECIMAL = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private final boolean allowLoopback;
    private final boolean httpsOnly;
    private final List<String> allowedDomains;
    private final HostResolver resolver;

    public EgressGuard(boolean allowLoopback, boolean httpsOnly, List<String> allowedDomains) {
        this(allowLoopback, httpsOnly, allowedDomains, HostResolver.SYSTEM);
    }

    public EgressGuard(boolean allowLoopback, boolean httpsOnly, List<String> allowedDomains, HostResolver resolver) {
        this.allowLoopback = allowLoopback;
        this.httpsOnly = httpsOnly;
        this.allowedDomains = allowedDomains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        this.resolver = resolver;
    }

    /** Where a checked request may go. */
    public record Target(URI uri, String host, InetAddress address, int port, boolean https) {

        public String pathAndQuery() {
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        }
    }

    /**
     * A character of a URL's path, query or fragment besides its separators: RFC 3986 {@code pchar}, and what
     * {@link URI} also takes there, any other character beyond ASCII that is neither a control nor a space.
     */
    private static final String URL_CHARACTER = "([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}"
            + "|[^\\u0000-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000])";

    /**
     * The URLs the documents declare (the {@code pattern} of every URL field): http(s), a host (a name whose last
     * label starts with a letter, a dotted-decimal IPv4 address or a bracketed IPv6 one), an optional port, and a path,
     * query and fragment of the characters a URI takes. A URL of this shape passes {@link #checkStatic} unless it
     * names a private or reserved address, the allow-list refuses it, or production takes https only; one of another
     * shape never does.
     */
    public static final String URL_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "\\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?|[0-9]{1,3}(\\.[0-9]{1,3}){3}|\\[[0-9A-Fa-f:.]+\\])"
            + "(:[0-9]{0,5})?(/(" + URL_CHARACTER + "|/)*)?(\\?(" + URL_CHARACTER + "|[/?])*)?(#(" + URL_CHARACTER
            + "|[/?])*)?$";

    /** Static checks only (scheme, host, literal addresses): what registration can verify without DNS. */
    public URI checkStatic(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new EgressDeniedException("not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && !httpsOnly)) {
            throw new EgressDeniedException(httpsOnly ? "only https URLs are allowed" : "only http and https URLs are allowed");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new EgressDeniedException("URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new EgressDeniedException("URL must not carry user information");
        }
        String host = bareHost(uri);
        if (!allowedDomains.isEmpty() && allowedDomains.stream().noneMatch(d -> host.equals(d) || host.endsWith("." + d))) {
            throw new EgressDeniedException("host is not on the egress allow-list");
        }
        if (isNumericName(host) && !DOTTED_DECIMAL.matcher(host).matches()) {
            // 2130706433, 0x7f000001, 017700000001, 0177.0.0.1, 127.1: resolvers disagree on what these mean
            // (octal or decimal, how many parts), so none is taken on trust
            throw new EgressDeniedException("a numeric host must be a dotted-decimal IPv4 address such as 203.0.113.7");
        }
        if (isLiteralAddress(host)) {
            try {
                requirePublic(InetAddress.getByName(host));
            } catch (UnknownHostException e) {
                throw new EgressDeniedException("host cannot be resolved");
            }
        }
        return uri;
    }

    /** Full check; resolves the host (blocking), so call it off the event loop. */
    public Target check(String url) {
        URI uri = checkStatic(url);
        String host = bareHost(uri);
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new EgressDeniedException("host cannot be resolved");
        }
        if (addresses == null || addresses.length == 0) {
            throw new EgressDeniedException("host cannot be resolved");
        }
        for (InetAddress address : addresses) {
            requirePublic(address);
        }
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() > 0 ? uri.getPort() : (https ? 443 : 80);
        return new Target(uri, host, addresses[0], port, https);
    }

    private void requirePublic(InetAddress address) {
        InetAddress effective = unwrapMapped(address);
        if (effective.isLoopbackAddress()) {
            if (allowLoopback) {
                return;
            }
            throw new EgressDeniedException("loopback addresses are not allowed");
        }
        if (isForbidden(effective)) {
            throw new EgressDeniedException("private, link-local, metadata and reserved addresses are not allowed");
        }
    }

    static boolean isForbidden(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isMulticastAddress() || address.isLoopbackAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0                                   // "this" network
                    || (first == 100 && second >= 64 && second <= 127) // CGNAT 100.64/10
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (first == 198 && (second == 18 || second == 19))  // benchmarking
                    || first >= 240;                              // reserved and broadcast
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            return (first & 0xfe) == 0xfc                        // unique local fc00::/7
                    || (first == 0xfe && (b[1] & 0xc0) == 0xc0)  // deprecated site-local fec0::/10
                    || (first == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) // 2001:db8::/32
                    || (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b); // NAT64 64:ff9b::/96
        }
        return true;
    }

    /** IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible IPv6 addresses are judged as the IPv4 address they carry. */
    static InetAddress unwrapMapped(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return address;
            }
        }
        boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
        if (!mapped && !compatible) {
            return address;
        }
        try {
            return InetAddress.getByAddress(new byte[] { b[12], b[13], b[14], b[15] });
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static String bareHost(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean isLiteralAddress(String host) {
        return host.contains(":") || isNumericName(host);
    }

    private static boolean isNumericName(String host) {
        return host.matches("[0-9.]+") || host.matches("0x[0-9a-f.x]+");
    }
}
