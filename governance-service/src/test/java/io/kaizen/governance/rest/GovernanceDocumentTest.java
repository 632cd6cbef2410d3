package io.kaizen.governance.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.eclipse.microprofile.openapi.models.media.Schema;

import org.junit.jupiter.api.Test;

import io.kaizen.governance.policy.Cidr;
import io.kaizen.governance.policy.PolicyValidator;

/** What the documents describe of policies is what the policy checks take. */
class GovernanceDocumentTest {

    @Test
    void theDocumentedNetworkPatternTakesWhatTheCheckTakes() {
        for (String candidate : List.of("10.0.0.0/8", "203.0.113.7", "0.0.0.0/0", "255.255.255.255/32",
                "001.2.3.4", "1.2.3.4/032", "256.1.1.1", "1.2.3/8", "1.2.3.4/33", "1.2.3.4/", "2001:db8::/32", "::1",
                "::", "fe80::1/64", "2001:db8:0:0:0:0:0:1/128", "2001:db8::/129", "2001:db8:::1", "1:2:3:4:5:6:7:8:9",
                "gg::1", "localhost",
                "10.0.0.0/8 ", " 10.0.0.0/8", "::/0", "1::", "1:2:3:4:5:6:7::")) {
            assertThat(candidate.matches(GovernanceDocument.CIDR)).as(candidate).isEqualTo(Cidr.parse(candidate) != null
                    && candidate.strip().equals(candidate));
        }
    }

    @Test
    void everyConditionTypeIsDescribedWithExactlyTheFieldsItsCheckTakes() {
        Map<String, Set<String>> described = new TreeMap<>();
        for (Schema type : GovernanceDocument.condition().getOneOf()) {
            Set<String> fields = new TreeSet<>(type.getProperties().keySet());
            fields.removeAll(Set.of("type", "negate"));
            described.put((String) type.getProperties().get("type").getEnumeration().get(0), fields);
            assertThat(type.getAdditionalPropertiesBoolean()).isFalse();
        }
        Map<String, Set<String>> checked = new TreeMap<>();
        PolicyValidator.FIELDS.forEach((type, fields) -> checked.put(type, new TreeSet<>(fields)));
        assertThat(described).isEqualTo(checked);
    }
}
