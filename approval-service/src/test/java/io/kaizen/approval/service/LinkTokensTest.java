package io.kaizen.approval.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.kaizen.approval.domain.ApprovalLink;
import io.kaizen.common.ids.PrefixedId;

/** Link tokens sign every field of their link: changing any field, or the key, breaks the signature. */
class LinkTokensTest {

    static final LinkTokens TOKENS = new LinkTokens("a-test-key-of-some-length-0123456789");

    static ApprovalLink link() {
        ApprovalLink link = new ApprovalLink();
        link.id = PrefixedId.next(LinkTokens.LINK_PREFIX);
        link.requestId = PrefixedId.next(PrefixedId.APPROVAL);
        link.recipient = "alice@example.com";
        link.expiresAt = Instant.parse("2030-01-01T10:00:00Z");
        return link;
    }

    @Test
    void aTokenMatchesItsLinkOnly() {
        ApprovalLink link = link();
        String token = TOKENS.token(link);
        assertThat(token).startsWith(link.id + ".").hasSize(link.id.length() + 1 + 43);
        assertThat(LinkTokens.linkId(token)).isEqualTo(link.id);
        assertThat(TOKENS.matches(token, link)).isTrue();

        ApprovalLink otherRecipient = link();
        otherRecipient.id = link.id;
        otherRecipient.requestId = link.requestId;
        otherRecipient.recipient = "mallory@example.com";
        assertThat(TOKENS.matches(token, otherRecipient)).isFalse();

        ApprovalLink otherRequest = link();
        otherRequest.id = link.id;
        assertThat(TOKENS.matches(token, otherRequest)).isFalse();

        ApprovalLink later = link();
        later.id = link.id;
        later.requestId = link.requestId;
        later.expiresAt = link.expiresAt.plusSeconds(1);
        assertThat(TOKENS.matches(token, later)).isFalse();

        assertThat(new LinkTokens("another-key-of-some-length-0123456789").matches(token, link)).isFalse();
        assertThat(TOKENS.matches(token, null)).isFalse();
    }

    @Test
    void malformedTokensNameNoLink() {
        String token = TOKENS.token(link());
        assertThat(LinkTokens.linkId(null)).isNull();
        assertThat(LinkTokens.linkId("")).isNull();
        assertThat(LinkTokens.linkId(token.substring(0, token.length() - 1))).isNull();
        assertThat(LinkTokens.linkId(token + "A")).isNull();
        assertThat(LinkTokens.linkId(token.replace(".", "/"))).isNull();
        assertThat(LinkTokens.linkId("apr_" + token.substring(4))).isNull();
    }

    @Test
    void theFormTokenIsBoundToTheLinkAndDiffersFromItsSignature() {
        ApprovalLink link = link();
        String form = TOKENS.formToken(link.id);
        assertThat(TOKENS.formMatches(form, link.id)).isTrue();
        assertThat(TOKENS.formMatches(form, link().id)).isFalse();
        assertThat(TOKENS.formMatches(null, link.id)).isFalse();
        assertThat(TOKENS.token(link)).doesNotContain(form);
    }
}
