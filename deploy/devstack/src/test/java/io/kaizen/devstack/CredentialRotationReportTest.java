package io.kaizen.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code ./kaizen rotate-credentials} prints for registry's rotation answers. */
class CredentialRotationReportTest {

    @Test
    void aCompleteRotationSaysHowManyMovedToWhichKey() {
        CredentialRotationReport report = CredentialRotationReport.parse(
                "{\"re_encrypted\": 12, \"key_fingerprint\": \"a1b2c3d4e5f6\", \"skipped\": 0, \"skipped_agent_ids\": []}");
        assertThat(report.complete()).isTrue();
        assertThat(report.describe()).isEqualTo("re-encrypted 12 credentials under key a1b2c3d4e5f6");
    }

    @Test
    void skippedAgentsAreCountedAndNamedAndMakeTheRunIncomplete() {
        CredentialRotationReport report = CredentialRotationReport.parse("""
                {"re_encrypted": 1, "key_fingerprint": "a1b2c3d4e5f6", "skipped": 2,
                 "skipped_agent_ids": ["agt_01lost", "agt_02lost"]}""");
        assertThat(report.complete()).isFalse();
        assertThat(report.describe()).isEqualTo("""
                re-encrypted 1 credential under key a1b2c3d4e5f6
                skipped 2 agents whose credentials no configured key decrypts (left unchanged): agt_01lost, agt_02lost
                configure the key that encrypted them and run again, or delete and re-register those agents \
                (docs/operations.md)""");
    }

    @Test
    void aReportListingOnlySomeSkippedAgentsSaysSo() {
        CredentialRotationReport report = CredentialRotationReport.parse("""
                {"re_encrypted": 0, "key_fingerprint": "a1b2c3d4e5f6", "skipped": 250,
                 "skipped_agent_ids": ["agt_01lost", "agt_02lost"]}""");
        assertThat(report.complete()).isFalse();
        assertThat(report.describe()).contains(
                "skipped 250 agents whose credentials no configured key decrypts (left unchanged): the first 2: "
                        + "agt_01lost, agt_02lost");
    }
}
