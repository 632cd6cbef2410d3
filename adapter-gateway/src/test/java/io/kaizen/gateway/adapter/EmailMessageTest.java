package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** How a message reads as an e-mail: a one-line subject, plain text, and HTML in which every text is escaped. */
class EmailMessageTest {

    private static PlatformMessage message(String title, String text, String link) {
        return new PlatformMessage(title, text, PlatformMessage.Status.FAILED,
                List.of(new PlatformMessage.Fact("Cost <usd>", "$0.05 & more")), link, Instant.EPOCH);
    }

    @Test
    void everyTextIsEscapedInTheHtmlAndKeptAsItIsInThePlainText() {
        EmailMessage mail = EmailMessage.of(List.of("ops@example.com"),
                message("<img src=x onerror=alert(1)>", "a \"quoted\" 'text'\nline two", "https://kaizen.example/x?a=1&b=2"));

        assertThat(mail.html()).contains("<h2>&lt;img src=x onerror=alert(1)&gt;</h2>")
                .contains("a &quot;quoted&quot; &#39;text&#39;<br>\nline two")
                .contains("<th align=\"left\">Cost &lt;usd&gt;</th><td>$0.05 &amp; more</td>")
                .contains("<a href=\"https://kaizen.example/x?a=1&amp;b=2\">")
                .doesNotContain("<img");
        assertThat(mail.text()).contains("<img src=x onerror=alert(1)>").contains("Cost <usd>: $0.05 & more")
                .contains("❌ Failed").contains("https://kaizen.example/x?a=1&b=2");
    }

    @Test
    void theSubjectIsOneShortLineEvenWhenTheTitleCarriesLineBreaks() {
        EmailMessage mail = EmailMessage.of(List.of("ops@example.com"),
                message("Budget\r\nBcc: victim@example.com " + "é".repeat(300), "t", null));

        assertThat(mail.subject()).doesNotContain("\r").doesNotContain("\n").startsWith("Budget Bcc: victim@example.com")
                .endsWith("…");
        assertThat(mail.subject().codePointCount(0, mail.subject().length())).isEqualTo(EmailMessage.MAX_SUBJECT_CHARS);
    }

    @Test
    void aLinkThatIsNotHttpIsLeftOut() {
        EmailMessage mail = EmailMessage.of(List.of("ops@example.com"), message("t", "x", "javascript:alert(1)"));

        assertThat(mail.html()).doesNotContain("<a ").doesNotContain("javascript");
        assertThat(mail.text()).doesNotContain("javascript");
    }

    @Test
    void withoutATitleTheSubjectIsTheFirstLineOfTheText() {
        EmailMessage mail = EmailMessage.of(List.of("ops@example.com"), message("", "first line\nsecond", null));

        assertThat(mail.subject()).isEqualTo("first line");
    }
}
