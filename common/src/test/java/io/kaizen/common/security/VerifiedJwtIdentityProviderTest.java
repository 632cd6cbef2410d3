package io.kaizen.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;

/** Each token is verified once and reused only while that verification may stand; a failing token is never kept. */
class VerifiedJwtIdentityProviderTest {

    private static final String ISSUER = "kaizen-test";

    private final KeyPair keys = keys();
    private final CountingParser parser = new CountingParser(context(keys));
    private final VerifiedJwtIdentityProvider provider = new VerifiedJwtIdentityProvider(parser,
            new SimpleMeterRegistry());

    @Test
    void aTokenSentAgainIsNotVerifiedAgain() throws ParseException {
        String token = token(keys, Instant.now().plusSeconds(3600));
        long now = System.currentTimeMillis();

        JsonWebToken first = provider.verified(token, now);
        JsonWebToken second = provider.verified(token, now + 1_000);

        assertThat(second.getSubject()).isEqualTo("user-1");
        assertThat(second.getGroups()).containsExactly("viewer");
        assertThat(second).isSameAs(first);
        assertThat(parser.parses.get()).isEqualTo(1);
    }

    @Test
    void aTokenIsVerifiedAgainOnceItsReuseTimeOrItsExpiryHasPassed() throws ParseException {
        String longLived = token(keys, Instant.now().plusSeconds(3600));
        String shortLived = token(keys, Instant.now().plusSeconds(30));
        long now = System.currentTimeMillis();

        provider.verified(longLived, now);
        provider.verified(longLived, now + VerifiedJwtIdentityProvider.MAX_REUSE.toMillis() + 1);
        assertThat(parser.parses.get()).as("past the longest reuse").isEqualTo(2);

        provider.verified(shortLived, now);
        provider.verified(shortLived, now + Duration.ofSeconds(31).toMillis());
        assertThat(parser.parses.get()).as("past the token's own exp").isEqualTo(4);
    }

    @Test
    void aReusedTokenReadsEachOfItsClaimsFromTheParsedTokenOnce() throws ParseException {
        String raw = Jwt.issuer(ISSUER).subject("user-1").groups(Set.of("viewer")).claim("org_id", "org_a")
                .expiresAt(Instant.now().plusSeconds(3600)).sign(keys.getPrivate());
        long now = System.currentTimeMillis();

        JsonWebToken token = provider.verified(raw, now);
        for (int i = 0; i < 3; i++) {
            assertThat(provider.verified(raw, now).<Object>getClaim("org_id")).hasToString("org_a");
            assertThat(token.<Object>getClaim("team_id")).isNull();
        }

        assertThat(parser.claimReads).containsEntry("org_id", 1).containsEntry("team_id", 1);
        assertThat(token.getSubject()).isEqualTo("user-1");
        assertThat(token.getGroups()).containsExactly("viewer");
        assertThat(token.getRawToken()).isEqualTo(raw);
    }

    @Test
    void aTokenThatFailsVerificationFailsEveryTime() {
        KeyPair other = keys();
        String forged = token(other, Instant.now().plusSeconds(3600));
        String expired = token(keys, Instant.now().minusSeconds(3600));
        long now = System.currentTimeMillis();

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> provider.verified(forged, now)).isInstanceOf(ParseException.class);
            assertThatThrownBy(() -> provider.verified(expired, now)).isInstanceOf(ParseException.class);
        }
        assertThat(parser.parses.get()).isEqualTo(6);
    }

    @Test
    void aFloodOfDistinctTokensIsVerifiedButNotAllKept() throws ParseException {
        long now = System.currentTimeMillis();
        String first = token(keys, Instant.now().plusSeconds(3600));
        provider.verified(first, now);
        for (int i = 0; i < VerifiedJwtIdentityProvider.MAX_TOKENS; i++) {
            provider.verified(token(keys, Instant.now().plusSeconds(3600 + i)), now);
        }
        int parses = parser.parses.get();

        provider.verified(first, now);

        assertThat(parser.parses.get()).as("the first token was dropped with the rest").isEqualTo(parses + 1);
    }

    private static String token(KeyPair keys, Instant expiresAt) {
        return Jwt.issuer(ISSUER).subject("user-1").groups(Set.of("viewer"))
                .issuedAt(Instant.now().minusSeconds(7200)).expiresAt(expiresAt).sign(keys.getPrivate());
    }

    private static JWTAuthContextInfo context(KeyPair keys) {
        JWTAuthContextInfo context = new JWTAuthContextInfo(keys.getPublic(), ISSUER);
        context.setClockSkew(0);
        return context;
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The real parser, counting its verifications. */
    private static final class CountingParser extends DefaultJWTParser {

        final AtomicInteger parses = new AtomicInteger();
        /** Reads of each claim, by name, from the tokens it parsed. */
        final Map<String, Integer> claimReads = new ConcurrentHashMap<>();

        CountingParser(JWTAuthContextInfo context) {
            super(context);
        }

        @Override
        public JsonWebToken parse(String token) throws ParseException {
            parses.incrementAndGet();
            JsonWebToken parsed = super.parse(token);
            return (JsonWebToken) Proxy.newProxyInstance(JsonWebToken.class.getClassLoader(),
                    new Class<?>[] {JsonWebToken.class}, (proxy, method, args) -> {
                        if (method.getName().equals("getClaim") && args[0] instanceof String name) {
                            claimReads.merge(name, 1, Integer::sum);
                        }
                        return method.invoke(parsed, args);
                    });
        }
    }
}
