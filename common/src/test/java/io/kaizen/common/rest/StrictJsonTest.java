package io.kaizen.common.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

class StrictJsonTest {

    record Body(String name, Integer count, int size, Boolean active, BigDecimal cost, List<String> tags,
            Map<String, String> labels, JsonNode input) {
    }

    record Times(Instant at, OffsetDateTime local, LocalDate day) {
    }

    private final ObjectMapper mapper = strict();

    private static ObjectMapper strict() {
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
        new StrictJson().customize(mapper);
        return mapper;
    }

    @Test
    void valuesOfTheDeclaredTypesAreReadAsTheyAre() throws Exception {
        Body body = mapper.readValue("""
                {"name": "n", "count": 3, "size": 4, "active": true, "cost": 1.25, "tags": ["a"],
                 "labels": {"k": "v"}, "input": {"free": [1, "x", "\\u0000"]}}""", Body.class);

        assertThat(body).isEqualTo(new Body("n", 3, 4, true, new BigDecimal("1.25"), List.of("a"), Map.of("k", "v"),
                mapper.readTree("{\"free\": [1, \"x\", \"\\u0000\"]}")));
        assertThat(mapper.readValue("{\"cost\": 2}", Body.class).cost()).isEqualByComparingTo("2");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\": 1e308}", "{\"name\": 7}", "{\"name\": true}", "{\"tags\": [1]}", "{\"labels\": {\"k\": false}}",
            "{\"count\": \"30\"}", "{\"size\": 1.9}", "{\"count\": 2.0}", "{\"cost\": \"1.5\"}",
            "{\"active\": 1}", "{\"active\": \"true\"}", "{\"active\": \" \"}", "{\"size\": \"\"}"})
    void aScalarOfAnotherTypeIsRefused(String json) {
        assertThatThrownBy(() -> mapper.readValue(json, Body.class)).isInstanceOf(MismatchedInputException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\": \"a\\u0000b\"}", "{\"tags\": [\"ok\", \"\\u0000\"]}",
            "{\"labels\": {\"k\": \"\\u0000\"}}"})
    void aNulInATextFieldIsRefused(String json) {
        assertThatThrownBy(() -> mapper.readValue(json, Body.class)).isInstanceOf(MismatchedInputException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void datesAndTimesAreReadFromTheirText() throws Exception {
        Times times = mapper.readValue(
                "{\"at\": \"2026-12-06T05:00:00Z\", \"local\": \"2026-12-06T06:00:00+01:00\", \"day\": \"2026-12-06\"}",
                Times.class);

        assertThat(times.at()).isEqualTo(Instant.parse("2026-12-06T05:00:00Z"));
        assertThat(times.local().toInstant()).isEqualTo(Instant.parse("2026-12-06T05:00:00Z"));
        assertThat(times.day()).isEqualTo(LocalDate.parse("2026-12-06"));
        assertThat(mapper.readValue("{\"at\": null}", Times.class).at()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"at\": 1}", "{\"at\": -1.0E-6}", "{\"local\": 1796530906}", "{\"day\": 20261206}",
            "{\"at\": true}", "{\"day\": [2026, 12, 6]}", "{\"at\": {}}"})
    void aDateOrTimeThatIsNotTextIsRefused(String json) {
        assertThatThrownBy(() -> mapper.readValue(json, Times.class)).isInstanceOf(MismatchedInputException.class);
    }
}
