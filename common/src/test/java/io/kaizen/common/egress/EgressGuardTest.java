package io.kaizen.common.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EgressGuardTest {

    private final EgressGuard strict = new EgressGuard(false, false, List.of());

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/x", "http://localhost:8080/", "http://[::1]/", "http://10.0.0.5/", "http://172.16.3.4/",
            "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/",
            "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.1.2.3]/", "http://[fd00::1]/", "http://[fe80::1]/",
            "http://224.0.0.1/", "http://255.255.255.255/", "http://2130706433/", "http://[::]/",
            "http://0x7f000001/", "http://017700000001/", "http://[fc00::1]/", "http://10.0.0.1/", "http://172.16.0.1/",
            "http://127.1/", "http://0177.0.0.1/", "http://0x7f.0.0.1/" })
    void refusesNonPublicAddresses(String url) {
        assertThatThrownBy(() -> strict.check(url)).isInstanceOf(EgressDeniedException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://2130706433/", "http://0x7f000001/", "http://017700000001/", "http://0177.0.0.1/",
            "http://8.8.8.010/" })
    void refusesNumericHostsResolversReadDifferentlyEvenAtRegistration(String url) {
        assertThatThrownBy(() -> strict.checkStatic(url)).isInstanceOf(EgressDeniedException.class)
                .hasMessageContaining("dotted-decimal");
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://a", "http://a.b:65535/p?q=1#f", "https://x.example/%41?/?#/?",
            "https://l.dI1:60096#Z%CbG", "http://a-b.c/~!$&'()*+,;=:@/x", "https://hooks.example.com?x",
            "https://0a.example/", "https://A.B/", "HTTPS://a.example/é", "http://203.0.113.7:8080/x",
            "http://[2606:4700::1111]/", "http://a.example:/" })
    void everyUrlOfTheDocumentedShapePassesTheStaticChecks(String url) {
        assertThat(url).matches(EgressGuard.URL_PATTERN);
        assertThat(strict.checkStatic(url)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://a/#x#y", "https://a/[x]", "https://a/%zz", "https://a_b/", "ftp://a/",
            "https://-a/", "https://a/ x", "https://a/\u00a0", "https://user@a/", "https://a.1/" })
    void whatTheDocumentedShapeLeavesOutTheStaticChecksRefuse(String url) {
        assertThat(url).doesNotMatch(EgressGuard.URL_PATTERN);
        assertThatThrownBy(() -> strict.checkStatic(url)).isInstanceOf(EgressDeniedException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://example.com/", "file:///etc/passwd", "gopher://x/", "http:///nohost",
            "http://user:pass@example.com/", "not a url" })
    void refusesWrongSchemesAndShapes(String url) {
        assertThatThrownBy(() -> strict.checkStatic(url)).isInstanceOf(EgressDeniedException.class);
    }

    @Test
    void acceptsPublicLiteralAddressAndPinsIt() {
        EgressGuard.Target target = strict.check("https://93.184.215.14:8443/hook?a=1");
        assertThat(target.address().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(target.port()).isEqualTo(8443);
        assertThat(target.https()).isTrue();
        assertThat(target.pathAndQuery()).isEqualTo("/hook?a=1");
    }

    @Test
    void loopbackOnlyWhenAllowed() {
        EgressGuard local = new EgressGuard(true, false, List.of());
        assertThat(local.check("http://127.0.0.1:9/").address().isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> local.check("http://10.0.0.1/")).isInstanceOf(EgressDeniedException.class);
    }

    @Test
    void httpsOnlyRefusesPlainHttp() {
        EgressGuard production = new EgressGuard(false, true, List.of());
        assertThatThrownBy(() -> production.checkStatic("http://93.184.215.14/"))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("https");
        assertThat(production.checkStatic("https://93.184.215.14/").getHost()).isEqualTo("93.184.215.14");
    }

    @Test
    void allowListLimitsDomains() {
        EgressGuard listed = new EgressGuard(false, false, List.of("hooks.slack.com"));
        assertThat(listed.checkStatic("https://hooks.slack.com/services/x").getHost()).isEqualTo("hooks.slack.com");
        assertThatThrownBy(() -> listed.checkStatic("https://evil-hooks.slack.com.attacker.io/"))
                .isInstanceOf(EgressDeniedException.class);
    }
}
