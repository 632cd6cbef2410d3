package io.kaizen.devstack;

import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * registry's answer to {@code POST /internal/v1/credentials/rotate}, as {@code ./kaizen rotate-credentials} prints
 * it: how many credentials moved to the newest key, and which agents were left behind because no configured key
 * decrypts theirs (agent ids only; the answer never holds a secret).
 */
record CredentialRotationReport(int reEncrypted, String keyFingerprint, int skipped, List<String> skippedAgentIds) {

    static CredentialRotationReport parse(String json) {
        JsonObject report = new JsonObject(json);
        JsonArray skipped = report.getJsonArray("skipped_agent_ids", new JsonArray());
        return new CredentialRotationReport(report.getInteger("re_encrypted", 0), report.getString("key_fingerprint"),
                report.getInteger("skipped", skipped.size()), skipped.stream().map(String::valueOf).toList());
    }

    /** Nothing was left behind: every stored credential is now under the newest key. */
    boolean complete() {
        return skipped == 0;
    }

    String describe() {
        String done = "re-encrypted " + reEncrypted + " credential" + (reEncrypted == 1 ? "" : "s") + " under key "
                + keyFingerprint;
        if (complete()) {
            return done;
        }
        String listed = skippedAgentIds.size() < skipped ? "the first " + skippedAgentIds.size() + ": " : "";
        return done + "\nskipped " + skipped + " agent" + (skipped == 1 ? "" : "s")
                + " whose credentials no configured key decrypts (left unchanged): " + listed
                + String.join(", ", skippedAgentIds)
                + "\nconfigure the key that encrypted them and run again, or delete and re-register those agents"
                + " (docs/operations.md)";
    }
}
