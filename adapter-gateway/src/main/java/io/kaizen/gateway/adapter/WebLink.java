package io.kaizen.gateway.adapter;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Whether a message's link can be a platform's button or URL property: an absolute http(s) URL with a host. */
final class WebLink {

    private WebLink() {
    }

    static boolean isWebUrl(String link, int maxLength) {
        if (link == null || link.length() > maxLength) {
            return false;
        }
        try {
            URI uri = new URI(link);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
