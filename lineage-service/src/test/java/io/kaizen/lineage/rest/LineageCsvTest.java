package io.kaizen.lineage.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class LineageCsvTest {

    @Test
    void cellsThatCouldRunAsFormulasAreWrittenAsText() {
        assertThat(encoded("=HYPERLINK(\"http://evil.example\")")).isEqualTo("\"'=HYPERLINK(\"\"http://evil.example\"\")\"");
        assertThat(encoded("+1+cmd|' /C calc'!A0")).isEqualTo("'+1+cmd|' /C calc'!A0");
        assertThat(encoded("-2+3")).isEqualTo("'-2+3");
        assertThat(encoded("@SUM(A1:A9)")).isEqualTo("'@SUM(A1:A9)");
        assertThat(encoded("\t=1")).isEqualTo("'\t=1");
        assertThat(encoded("\r=1")).isEqualTo("\"'\r=1\"");
        assertThat(encoded("a=b")).isEqualTo("a=b");
    }

    @Test
    void cellsAreQuotedPerRfc4180() {
        assertThat(encoded("a,b")).isEqualTo("\"a,b\"");
        assertThat(encoded("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(encoded("line1\nline2")).isEqualTo("\"line1\nline2\"");
        assertThat(encoded("plain")).isEqualTo("plain");
        assertThat(new LineageCsv.Cell(null, true).encoded()).isEmpty();
    }

    @Test
    void numbersAreWrittenAsTheyAreAndLinesEndInCrLf() {
        assertThat(new LineageCsv.Cell("-0.5", false).encoded()).isEqualTo("-0.5");
        assertThat(LineageCsv.line(List.of(LineageCsv.Cell.text("a"), new LineageCsv.Cell(null, false),
                new LineageCsv.Cell("12", false)))).isEqualTo("a,,12\r\n");
    }

    private static String encoded(String text) {
        return LineageCsv.Cell.text(text).encoded();
    }
}
