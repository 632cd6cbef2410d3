package io.kaizen.system;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.kaizen.devstack.RouteTable;
import io.kaizen.devstack.Router;
import io.kaizen.system.OpenApiContract.Exchange;
import io.restassured.filter.FilterContext;
import io.restassured.filter.OrderedFilter;
import io.restassured.http.Header;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Checks every exchange of the system tests against the OpenAPI documents the services serve; an exchange they do
 * not describe fails the test that made it (see {@link OpenApiContract} for what is checked). {@link Suite}
 * installs it for all REST Assured requests, so every endpoint a system test reaches is held to its published
 * contract without the test asking. Quarkus' own endpoints ({@code /q/...}) are not part of the contract.
 */
final class ContractFilter implements OrderedFilter {

    private final OpenApiContract contract;
    private final String routerAuthority;
    private final RouteTable routes = RouteTable.load();

    ContractFilter(OpenApiContract contract, String routerUrl) {
        this.contract = contract;
        this.routerAuthority = authority(routerUrl);
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
            FilterContext context) {
        Response response = context.next(request, responseSpec);
        String uri = request.getURI();
        String path = path(uri);
        if (path.startsWith("/q/")) {
            return response;
        }
        Exchange exchange = new Exchange(request.getMethod().toUpperCase(Locale.ROOT), path, query(uri),
                request.getHeaders().asList().stream().map(Header::getName).map(n -> n.toLowerCase(Locale.ROOT))
                        .collect(Collectors.toSet()),
                request.getContentType(), text(request.getBody()), response.statusCode(), response.contentType(),
                response.asString());
        List<String> violations = answeredByRouter(uri, path) ? contract.checkProblem(exchange)
                : contract.check(exchange);
        if (!violations.isEmpty()) {
            throw new AssertionError("The exchange is not what the served OpenAPI documents describe:\n  "
                    + String.join("\n  ", violations));
        }
        return response;
    }

    /** Last, so that the exchange is checked as it went over the wire. */
    @Override
    public int getOrder() {
        return OrderedFilter.LOWEST_PRECEDENCE;
    }

    /** The router answers itself, without asking a service, for paths it refuses or never routes. */
    private boolean answeredByRouter(String uri, String path) {
        return authority(uri).equals(routerAuthority)
                && (!Router.isCanonical(path) || routes.match(path).filter(RouteTable.Route::routed).isEmpty());
    }

    private static String authority(String uri) {
        int scheme = uri.indexOf("://");
        String rest = scheme < 0 ? uri : uri.substring(scheme + 3);
        int slash = rest.indexOf('/');
        return (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
    }

    private static String path(String uri) {
        int scheme = uri.indexOf("://");
        String rest = scheme < 0 ? uri : uri.substring(scheme + 3);
        int slash = rest.indexOf('/');
        String path = slash < 0 ? "/" : rest.substring(slash);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    private static Map<String, List<String>> query(String uri) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        int start = uri.indexOf('?');
        if (start < 0) {
            return parameters;
        }
        for (String pair : uri.substring(start + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            parameters.computeIfAbsent(name, ignored -> new ArrayList<>()).add(value);
        }
        return parameters;
    }

    private static String text(Object body) {
        if (body == null) {
            return "";
        }
        if (body instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return body.toString();
    }
}
