package io.kaizen.system;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.kaizen.devstack.DevStack;
import io.kaizen.devstack.Service;
import io.kaizen.devstack.ServiceLauncher;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * The whole suite for the system tests of this JVM: the devstack and the five packaged services as separate
 * processes, started once, reached through the router exactly as callers reach the ingress. Every exchange of
 * every system test is checked against the OpenAPI documents the services serve ({@link ContractFilter}).
 */
final class Suite {

    private static Suite instance;

    final DevStack stack;
    final Map<Service, ServiceLauncher> services;
    private Map<String, String> servedDocuments;

    private Suite(DevStack stack, Map<Service, ServiceLauncher> services) {
        this.stack = stack;
        this.services = services;
    }

    static synchronized Suite get() {
        if (instance == null) {
            DevStack stack = DevStack.shared();
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            for (Service service : Service.values()) {
                ports.put(service, freePort());
            }
            Map<Service, ServiceLauncher> services = ServiceLauncher.startAll(stack, ports,
                    Path.of("target", "service-logs").toAbsolutePath());
            instance = new Suite(stack, services);
            RestAssured.filters(new ContractFilter(instance.servedContract(), stack.routerUrl()));
        }
        return instance;
    }

    private OpenApiContract servedContract() {
        return OpenApiContract.of(servedDocuments());
    }

    /** The OpenAPI documents the five services serve, as they serve them (service short name → JSON). */
    synchronized Map<String, String> servedDocuments() {
        if (servedDocuments == null) {
            Map<String, String> documents = new LinkedHashMap<>();
            for (Service service : Service.values()) {
                documents.put(service.shortName(), given().baseUri(serviceUrl(service)).accept(ContentType.JSON)
                        .when().get("/q/openapi?format=json")
                        .then().statusCode(200).extract().asString());
            }
            servedDocuments = Collections.unmodifiableMap(documents);
        }
        return servedDocuments;
    }

    String baseUrl() {
        return stack.routerUrl();
    }

    String serviceUrl(Service service) {
        return services.get(service).url();
    }

    String token(String org, String... roles) {
        return stack.keys().token(org, List.of(roles), "user-" + org, null, Duration.ofMinutes(15));
    }

    static String newOrg() {
        return "org_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A request through the router as an authenticated caller. */
    RequestSpecification as(String token) {
        return given().baseUri(baseUrl()).auth().oauth2(token).contentType(ContentType.JSON);
    }

    /** A request carrying the lineage headers every invocation needs. */
    RequestSpecification invoking(String token) {
        return as(token)
                .header("X-External-User-ID", "ext-user-7")
                .header("X-External-User-Email", "jane.smith@company.example")
                .header("X-External-User-Name", "Jane Smith")
                .header("X-External-System", "copilot")
                .header("X-External-Session-ID", "copilot-session-1")
                .header("X-External-Trace-ID", "parent-trace-1");
    }

    /** Registers a custom_http agent aimed at the sink and returns its id. */
    String registerAgent(String token, String name) {
        return as(token).body("""
                {"name": "%s", "platform": "custom_http", "endpoint_url": "%s/agents/%s"}
                """.formatted(name, stack.sinkUrl(), name.replace(' ', '-')))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).extract().path("id");
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
