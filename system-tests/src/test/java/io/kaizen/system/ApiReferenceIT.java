package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.ProjectLayout;

/**
 * {@code docs/api-reference.md} covers the API the packaged services serve: every operation of their OpenAPI
 * documents has a section with a curl example, its answer and the statuses the document declares, and the reference
 * names no operation the documents do not have ({@link ApiReference}). A new endpoint fails this test until it is
 * documented; a removed or renamed one fails it until its section goes.
 */
class ApiReferenceIT {

    private final Suite suite = Suite.get();

    @Test
    void theReferenceCoversExactlyTheServedOperations() throws IOException {
        Path reference = ProjectLayout.locate().root().resolve("docs").resolve("api-reference.md");
        ApiReference parsed = ApiReference.parse(Files.readString(reference));

        assertThat(parsed.mismatches(suite.servedDocuments()))
                .as("docs/api-reference.md against the served OpenAPI documents")
                .isEmpty();
        assertThat(ApiReference.operations(suite.servedDocuments())).hasSizeGreaterThan(50);
    }
}
