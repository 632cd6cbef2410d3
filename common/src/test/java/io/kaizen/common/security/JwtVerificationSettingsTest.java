package io.kaizen.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class JwtVerificationSettingsTest {

    @Test
    void issuerAndAudienceTogetherAreEnough() {
        assertThat(JwtVerificationSettings.missing(Optional.of("https://id.example.com"), Optional.of("kaizen-api")))
                .isEmpty();
    }

    @Test
    void eachMissingOrBlankSettingIsNamedWithItsEnvironmentVariable() {
        assertThat(JwtVerificationSettings.missing(Optional.empty(), Optional.of(" ")))
                .satisfiesExactly(
                        issuer -> assertThat(issuer).startsWith("mp.jwt.verify.issuer (MP_JWT_VERIFY_ISSUER) is not set"),
                        audience -> assertThat(audience).startsWith("mp.jwt.verify.audiences (MP_JWT_VERIFY_AUDIENCES) is not set"));
        assertThat(JwtVerificationSettings.missing(Optional.of("https://id.example.com"), Optional.empty()))
                .singleElement().asString().startsWith("mp.jwt.verify.audiences");
    }
}
