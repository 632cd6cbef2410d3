package io.kaizen.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;

/** The webhook event catalogue: the same as docs/events.md lists, and how subscriptions match it. */
class WebhookEventCatalogueTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_.]+)` \\| `([a-z_.0-9]+)` \\|$");

    @Test
    void theDocumentedPatternsTakeWhatTheCatalogueTakes() {
        List<String> candidates = new java.util.ArrayList<>(List.of("agent.*", "invocation.*", "budget.*", "approval.*",
                "webhook.*", "*", ".*", "x.*", "agent.x", "invocation.completed.*", "agent.registered ", "Agent.*"));
        WebhookEvents.CATALOGUE.forEach(entry -> {
            candidates.add(entry.name());
            candidates.add(entry.name() + "x");
            candidates.add(entry.type());
        });
        for (String candidate : candidates) {
            boolean known = WebhookEvents.unknown(List.of(candidate)).isEmpty();
            assertThat(candidate.matches(WebhookEvents.SUBSCRIPTION_PATTERN)).as(candidate).isEqualTo(known);
            assertThat(candidate.matches(WebhookEvents.NAME_PATTERN)).as(candidate)
                    .isEqualTo(WebhookEvents.named(candidate).isPresent());
        }
    }

    @Test
    void theCatalogueIsTheOneDocsEventsMdLists() throws IOException {
        Map<String, String> documented = new LinkedHashMap<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(docs().resolve("events.md"))) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Webhook event catalogue");
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (inSection && row.matches()) {
                documented.put(row.group(1), row.group(2));
            }
        }
        Map<String, String> catalogue = WebhookEvents.CATALOGUE.stream().collect(Collectors.toMap(
                WebhookEvents.Entry::name, WebhookEvents.Entry::type, (a, b) -> a, LinkedHashMap::new));

        assertThat(documented).hasSizeGreaterThan(10).containsExactlyEntriesOf(catalogue);
    }

    @Test
    void everyEntryIsAGroupTheIssueNamesAndDecisionsAreNotSubscribable() {
        assertThat(WebhookEvents.CATALOGUE).extracting(entry -> entry.name().substring(0, entry.name().indexOf('.')))
                .containsOnly("agent", "invocation", "budget", "approval", "webhook");
        assertThat(WebhookEvents.subscribable(EventTypes.INVOCATION_FAILED)).isTrue();
        assertThat(WebhookEvents.subscribable(EventTypes.DECISION_EVALUATED)).isFalse();
        assertThat(WebhookEvents.subscribable(EventTypes.POLICY_UPDATED)).isFalse();
        assertThat(WebhookEvents.subscribable(EventTypes.APIKEY_CREATED)).isFalse();
    }

    @Test
    void namesAndGroupsAreKnownAndAnythingElseIsNamedAsUnknown() {
        assertThat(WebhookEvents.unknown(List.of("invocation.failed", "invocation.*", "budget.*", "approval.*",
                "agent.registered", "webhook.disabled"))).isEmpty();
        assertThat(WebhookEvents.unknown(List.of("invocation.exploded", "deployment.created", "*", "invocation*",
                "invocation.*.x", "nothing.*", "", "budget.threshold_crossed"))).containsExactly("invocation.exploded",
                "deployment.created", "*", "invocation*", "invocation.*.x", "nothing.*", "");
    }

    @Test
    void aSubscriptionCoversTheTypesOfItsNameOrGroupOnly() {
        assertThat(WebhookEvents.covers(List.of("invocation.failed"), EventTypes.INVOCATION_FAILED)).isTrue();
        assertThat(WebhookEvents.covers(List.of("invocation.failed"), EventTypes.INVOCATION_COMPLETED)).isFalse();
        assertThat(WebhookEvents.covers(List.of("invocation.*"), EventTypes.INVOCATION_COMPLETED)).isTrue();
        assertThat(WebhookEvents.covers(List.of("invocation.*"), EventTypes.AGENT_UPDATED)).isFalse();
        assertThat(WebhookEvents.covers(List.of("budget.*"), EventTypes.BUDGET_THRESHOLD_CROSSED)).isTrue();
        assertThat(WebhookEvents.covers(List.of("agent.*", "budget.*"), EventTypes.DECISION_EVALUATED)).isFalse();
    }

    private static Path docs() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("a docs directory above the module").isNotNull();
        return dir.resolve("docs");
    }
}
