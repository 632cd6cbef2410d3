package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What an outside party wrote loses every secret-looking value before it is stored or shown. */
class SecretRedactionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"authorization": "Bearer s3cr3t-value"}              | s3cr3t-value
            Authorization: Basic dXNlcjpzM2NyM3Q=                  | dXNlcjpzM2NyM3Q=
            bearer s3cr3t-value                                    | s3cr3t-value
            {"api_key":"s3cr3t-value","ok":true}                   | s3cr3t-value
            api-key=s3cr3t-value&x=1                               | s3cr3t-value
            {"token": "s3cr3t-value"}                              | s3cr3t-value
            password: 's3cr3t-value'                               | s3cr3t-value
            client_secret=s3cr3t-value                             | s3cr3t-value
            POST /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage | AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw
            """)
    void aSecretIsRemovedWhateverItsForm(String text, String secret) {
        String redacted = SecretRedaction.redact(text);

        assertThat(redacted).doesNotContain(secret).contains("<REDACTED>");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"error": "rate limited", "retry_after": 3}
            agent answered HTTP 500
            """)
    void textWithoutSecretsIsLeftAsItIs(String text) {
        assertThat(SecretRedaction.redact(text)).isEqualTo(text);
    }
}
