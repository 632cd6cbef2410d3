package io.kaizen.lineage;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.lineage.service.LineageService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/** Exports as JSON, NDJSON and CSV, streamed page by page, scoped to the caller's organisation. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class LineageExportTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    @TestHTTPResource("/api/v1/lineage/export")
    URL export;
    @Inject
    MeterRegistry registry;

    @Test
    void csvIsRfc4180AndNoCellRunsAsAFormula() throws Exception {
        String org = "org_" + UUID.randomUUID();
        List<String> names = List.of("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
                "@SUM(A1:A9)", "\tTAB", "\r=CR", "a,b", "say \"hi\"", "line1\nline2", "Jane");
        for (int i = 0; i < names.size(); i++) {
            insert(org, "inv_csv_" + i, T0.plusSeconds(i), names.get(i), 1);
        }
        insert("org_" + UUID.randomUUID(), "inv_csv_foreign_" + UUID.randomUUID(), T0, "Foreign", 1);

        var response = given().auth().oauth2(InvocationEvents.token(org)).queryParam("format", "csv")
                .when().get("/api/v1/lineage/export")
                .then().statusCode(200)
                .header("Content-Type", startsWith("text/csv"))
                .header("Content-Disposition", equalTo("attachment; filename=\"lineage_export.csv\""))
                .extract();
        String body = response.asString();
        assertThat(body).contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")
                .contains(",'+1+cmd|' /C calc'!A0,").contains(",'-2+3,").contains(",'@SUM(A1:A9),")
                .contains(",'\tTAB,").contains(",\"'\r=CR\",").contains(",\"a,b\",").contains(",\"say \"\"hi\"\"\",")
                .contains(",\"line1\nline2\",").doesNotContain("Foreign");
        List<List<String>> rows = parseCsv(body);
        assertThat(rows).hasSize(names.size() + 1);
        int name = rows.get(0).indexOf("external_user_name");
        assertThat(rows.get(0)).startsWith("id", "invocation_id", "organization_id", "status");
        List<String> exported = rows.subList(1, rows.size()).stream().map(r -> r.get(name)).toList();
        // newest first; a formula-like text comes back as the same text behind an apostrophe
        assertThat(exported).containsExactly("Jane", "line1\nline2", "say \"hi\"", "a,b", "'\r=CR", "'\tTAB",
                "'@SUM(A1:A9)", "'-2+3", "'+1+cmd|' /C calc'!A0", "'=HYPERLINK(\"http://evil.example\",\"x\")");
        rows.forEach(r -> assertThat(r).hasSize(rows.get(0).size()));
        // numbers are not neutralised
        int cost = rows.get(0).indexOf("cost_usd");
        assertThat(rows.get(1).get(cost)).isEqualTo("0.05");
    }

    @Test
    void jsonAndNdjsonExportTheFilteredRowsOfTheCallersOrganisationOnly() throws Exception {
        String org = "org_" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            insert(org, "inv_json_" + UUID.randomUUID(), T0.plusSeconds(i), "Jane", 1);
        }
        insert("org_" + UUID.randomUUID(), "inv_json_" + UUID.randomUUID(), T0, "Jane", 1);
        String token = InvocationEvents.token(org);

        JsonPath json = given().auth().oauth2(token).when().get("/api/v1/lineage/export")
                .then().statusCode(200).header("Content-Disposition", equalTo(
                        "attachment; filename=\"lineage_export.json\""))
                .extract().jsonPath();
        assertThat(json.getList("organization_id")).hasSize(3).containsOnly(org);
        String ndjson = given().auth().oauth2(token).queryParam("format", "ndjson")
                .queryParam("from", T0.plusSeconds(1).toString())
                .when().get("/api/v1/lineage/export")
                .then().statusCode(200).header("Content-Type", startsWith("application/x-ndjson"))
                .extract().asString();
        String[] lines = ndjson.split("\n");
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            assertThat(JsonPath.from(line).getString("organization_id")).isEqualTo(org);
        }
    }

    /**
     * 100,000 rows of about 1.5 KB each (about 150 MB): the export is chunked, complete and in order; when the client
     * has its first thousand rows the service has not read them all from the database (an export that loads its rows
     * before writing would have read 100,000), and while the client has read a tenth the service's heap has not grown
     * by anything near the rows.
     */
    @Test
    void aHundredThousandRowExportIsStreamedWithoutHoldingTheRows() throws Exception {
        String org = "org_" + UUID.randomUUID();
        try (Connection db = db(); PreparedStatement insert = db.prepareStatement(
                "insert into lineage_record (invocation_id, organization_id, status, external_agent_id,"
                        + " request_timestamp, created_at, error_message, cost_usd)"
                        + " select 'inv_bulk_' || lpad(n::text, 6, '0'), ?, 'success', 'agt_bulk',"
                        + " ?::timestamptz + n * interval '1 millisecond', now(), repeat('x', 1500), 0.01"
                        + " from generate_series(1, 100000) n")) {
            insert.setString(1, org);
            insert.setString(2, T0.toString());
            assertThat(insert.executeUpdate()).isEqualTo(100_000);
        }
        long baseline = usedHeapAfterGc();
        double rowsReadBefore = registry.counter(LineageService.EXPORT_ROWS).count();

        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(export + "?format=ndjson"))
                .header("Authorization", "Bearer " + InvocationEvents.token(org))
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-length")).isEmpty();
        long lines = 0;
        long bytes = 0;
        long heapMidway = -1;
        String previous = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines++;
                bytes += line.length() + 1;
                String id = line.substring(line.indexOf("\"invocation_id\":\"") + 17, line.indexOf("\"invocation_id\":\"") + 32);
                if (previous != null) {
                    assertThat(id).isLessThan(previous);
                }
                previous = id;
                if (lines == 1_000) {
                    assertThat(registry.counter(LineageService.EXPORT_ROWS).count() - rowsReadBefore)
                            .as("rows the service has read when the client has 1,000").isLessThan(100_000);
                }
                if (lines == 10_000) {
                    heapMidway = usedHeapAfterGc();
                }
            }
        }
        assertThat(lines).isEqualTo(100_000);
        assertThat(previous).isEqualTo("inv_bulk_000001");
        assertThat(bytes).isGreaterThan(150_000_000L);
        assertThat(registry.counter(LineageService.EXPORT_ROWS).count() - rowsReadBefore).isEqualTo(100_000);
        assertThat(heapMidway - baseline).as("heap grown while a tenth was read").isLessThan(64L * 1024 * 1024);
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static void insert(String org, String id, Instant at, String name, int n) throws SQLException {
        try (Connection db = db(); PreparedStatement insert = db.prepareStatement(
                "insert into lineage_record (invocation_id, organization_id, status, external_agent_id,"
                        + " request_timestamp, created_at, external_user_name, cost_usd)"
                        + " values (?, ?, 'success', 'agt_csv', ?::timestamptz, now(), ?, 0.05)")) {
            insert.setString(1, id);
            insert.setString(2, org);
            insert.setString(3, at.toString());
            insert.setString(4, name);
            assertThat(insert.executeUpdate()).isEqualTo(n);
        }
    }

    private static Connection db() throws SQLException {
        return DevStackTestResource.stack().postgres().connect("lineage");
    }

    /** RFC 4180: records end in CRLF, quoted fields may hold commas, quotes (doubled) and line breaks. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                row.add(cell.toString());
                cell.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                cell.append(c);
            }
        }
        assertThat(cell).isEmpty();
        assertThat(row).isEmpty();
        return rows;
    }
}
