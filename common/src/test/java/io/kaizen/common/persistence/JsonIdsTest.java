package io.kaizen.common.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class JsonIdsTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void idsOfAnyTextReadBackAsTheSameStrings() throws Exception {
        List<String> ids = List.of("inv_01", "quote\"back\\slash", "line\nbreak\ttab\u0001", "ünï\u2028😀", "");

        String json = JsonIds.json(ids);

        assertThat(mapper.readValue(json, String[].class)).containsExactlyElementsOf(ids);
    }

    @Test
    void noIdsIsAnEmptyArrayAndANullIdIsNull() throws Exception {
        assertThat(JsonIds.json(List.of())).isEqualTo("[]");
        assertThat(mapper.readValue(JsonIds.json(Arrays.asList("a", null)), String[].class)).containsExactly("a", null);
    }
}
