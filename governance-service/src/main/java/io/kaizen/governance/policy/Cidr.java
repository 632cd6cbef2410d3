package io.kaizen.governance.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare address is a single
 * host). Only address literals are parsed, never host names, so parsing never touches DNS.
 */
public record Cidr(byte[] network, int prefix) {

    /** The parsed network, or null when {@code text} is not a CIDR block. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = literal(address);
        if (bytes == null) {
            return null;
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            if (!digits.matches("\\d{1,3}")) {
                return null;
            }
            prefix = Integer.parseInt(digits);
            if (prefix > max) {
                return null;
            }
        }
        return new Cidr(mask(bytes, prefix), prefix);
    }

    /** True when {@code ip} is an address literal of the same family inside this network. */
    public boolean contains(String ip) {
        byte[] address = literal(ip);
        if (address == null) {
            return false;
        }
        if (address.length != network.length) {
            address = unmapped(address);
            if (address == null || address.length != network.length) {
                return false;
            }
        }
        byte[] masked = mask(address, prefix);
        return java.util.Arrays.equals(masked, network);
    }

    /** The bytes of an IPv4 dotted quad or an IPv6 literal; null for anything else (host names included). */
    static byte[] literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            byte[] bytes = new byte[4];
            String[] parts = text.split("\\.");
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return bytes;
        }
        // only hex digits, colons and dots: InetAddress then parses a literal and never resolves a name
        if (text.indexOf(':') < 0 || !text.matches("[0-9A-Fa-f:.]+")) {
            return null;
        }
        try {
            byte[] bytes = InetAddress.getByName(text).getAddress();
            return bytes.length == 16 || bytes.length == 4 ? bytes : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] unmapped(byte[] address) {
        if (address.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return null;
                }
            }
            if (address[10] == (byte) 0xff && address[11] == (byte) 0xff) {
                return java.util.Arrays.copyOfRange(address, 12, 16);
            }
        }
        return null;
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] = (byte) (masked[i] & (0xff << (8 - bits)));
        }
        return masked;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr cidr && cidr.prefix == prefix && java.util.Arrays.equals(cidr.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return prefix + "@" + java.util.HexFormat.of().formatHex(network);
    }
}
