package io.kaizen.common.problem;

import io.kaizen.common.ids.PrefixedId;
import io.vertx.core.http.HttpServerRequest;

/** The request id of a call: the caller's {@code X-Request-ID} when it is sane, else one we generate. */
public final class RequestIds {

    public static final String HEADER = "X-Request-ID";

    private RequestIds() {
    }

    public static String of(HttpServerRequest request) {
        String given = request.getHeader(HEADER);
        if (given != null && given.length() <= 128 && given.matches("[A-Za-z0-9._:-]+")) {
            return given;
        }
        return PrefixedId.next(PrefixedId.REQUEST);
    }
}
