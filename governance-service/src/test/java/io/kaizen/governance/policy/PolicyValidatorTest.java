package io.kaizen.governance.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.problem.ProblemException;

class PolicyValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProblemException refused(String conditions) {
        try {
            PolicyValidator.conditions(JSON.readTree(conditions), "conditions");
        } catch (ProblemException e) {
            return e;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        throw new AssertionError("accepted: " + conditions);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "[{\"type\":\"time_window\",\"start_time\":\"09:00\",\"end_time\":\"17:00\",\"timezone\":\"Mars/Olympus\"}]|conditions[0].timezone|conditions[0].timezone 'Mars/Olympus' is not an IANA time zone",
        "[{\"type\":\"time_window\",\"start_time\":\"09:00\",\"end_time\":\"17:00\",\"timezone\":\"EST\"}]|conditions[0].timezone|conditions[0].timezone 'EST' is not an IANA time zone",
        "[{\"type\":\"time_window\",\"start_time\":\"9:00\",\"end_time\":\"17:00\",\"timezone\":\"UTC\"}]|conditions[0].start_time|conditions[0].start_time must be a time HH:MM (00:00–23:59)",
        "[{\"type\":\"time_window\",\"start_time\":\"09:00\",\"end_time\":\"24:00\",\"timezone\":\"UTC\"}]|conditions[0].end_time|conditions[0].end_time must be a time HH:MM (00:00–23:59)",
        "[{\"type\":\"time_window\",\"start_time\":\"09:00\",\"end_time\":\"09:00\",\"timezone\":\"UTC\"}]|conditions[0].end_time|conditions[0].end_time must differ from start_time",
        "[{\"type\":\"time_window\",\"days\":[\"funday\"],\"start_time\":\"09:00\",\"end_time\":\"17:00\",\"timezone\":\"UTC\"}]|conditions[0].days|conditions[0].days: 'funday' is not a day (mon … sun)",
        "[{\"type\":\"date_range\",\"start\":\"2025-12-25\",\"end\":\"2025-12-26T00:00:00Z\"}]|conditions[0].start|conditions[0].start must be an ISO-8601 instant such as 2025-12-25T00:00:00Z",
        "[{\"type\":\"date_range\",\"start\":\"2025-12-26T00:00:00Z\",\"end\":\"2025-12-25T00:00:00Z\"}]|conditions[0].end|conditions[0].end must be after start",
        "[{\"type\":\"ip\",\"cidrs\":[\"10.0.0.0/33\"]}]|conditions[0].cidrs|conditions[0].cidrs: '10.0.0.0/33' is not an IPv4 or IPv6 CIDR block",
        "[{\"type\":\"ip\",\"cidrs\":[\"2001:db8::/129\"]}]|conditions[0].cidrs|conditions[0].cidrs: '2001:db8::/129' is not an IPv4 or IPv6 CIDR block",
        "[{\"type\":\"ip\",\"cidrs\":[\"example.com/8\"]}]|conditions[0].cidrs|conditions[0].cidrs: 'example.com/8' is not an IPv4 or IPv6 CIDR block",
        "[{\"type\":\"ip\",\"cidrs\":[\"256.1.1.1\"]}]|conditions[0].cidrs|conditions[0].cidrs: '256.1.1.1' is not an IPv4 or IPv6 CIDR block",
        "[{\"type\":\"country\",\"countries\":[\"USA\"]}]|conditions[0].countries|conditions[0].countries: 'USA' is not an ISO 3166-1 alpha-2 country code",
        "[{\"type\":\"country\",\"countries\":[\"XX\"]}]|conditions[0].countries|conditions[0].countries: 'XX' is not an ISO 3166-1 alpha-2 country code",
        "[{\"type\":\"country\",\"countries\":[]}]|conditions[0].countries|conditions[0].countries must be a non-empty array of strings",
        "[{\"type\":\"environment\",\"environments\":[\"prod\"]}]|conditions[0].environments|conditions[0].environments: 'prod' is not one of development, production, staging",
        "[{\"type\":\"platform\",\"platforms\":[\"myspace\"]}]|conditions[0].platforms|conditions[0].platforms: 'myspace' is not one of custom_http, discord, notion, slack, teams, telegram",
        "[{\"type\":\"role\"}]|conditions[0].roles|conditions[0].roles is required (a non-empty array)",
        "[{\"type\":\"team\",\"teams\":[\"\"]}]|conditions[0].teams[0]|conditions[0].teams[0] must be a non-empty string",
        "[{\"type\":\"agent_tags\",\"tags\":\"hr\"}]|conditions[0].tags|conditions[0].tags must be a non-empty array of strings",
        "[{\"type\":\"attribute\",\"attribute\":\"user.shoe_size\",\"op\":\"eq\",\"value\":1}]|conditions[0].attribute|",
        "[{\"type\":\"attribute\",\"attribute\":\"user.id\",\"op\":\"like\",\"value\":\"x\"}]|conditions[0].op|conditions[0].op must be one of eq, ne, gt, gte, lt, lte, in, not_in, contains, regex",
        "[{\"type\":\"attribute\",\"attribute\":\"user.id\",\"op\":\"gt\",\"value\":3}]|conditions[0].op|conditions[0].op gt needs a numeric attribute; user.id is not one",
        "[{\"type\":\"attribute\",\"attribute\":\"tokens\",\"op\":\"lt\",\"value\":\"many\"}]|conditions[0].value|conditions[0].value must be a number",
        "[{\"type\":\"attribute\",\"attribute\":\"user.id\",\"op\":\"regex\",\"value\":\"([a-z\"}]|conditions[0].value|",
        "[{\"type\":\"attribute\",\"attribute\":\"user.id\",\"op\":\"in\",\"value\":\"u1\"}]|conditions[0].value|conditions[0].value must be a non-empty array for in",
        "[{\"type\":\"attribute\",\"attribute\":\"user.id\",\"op\":\"eq\"}]|conditions[0].value|conditions[0].value is required",
        "[{\"type\":\"weather\"}]|conditions[0].type|",
        "[{\"type\":\"role\",\"roles\":[\"x\"],\"colour\":\"red\"}]|conditions[0].colour|conditions[0].colour is not a field of a role condition",
        "[{\"type\":\"role\",\"roles\":[\"x\"],\"negate\":\"yes\"}]|conditions[0].negate|conditions[0].negate must be true or false",
        "{\"type\":\"role\"}|conditions|conditions must be an array of conditions",
        "[{\"type\":\"role\",\"roles\":[\"x\"]},{\"roles\":[\"x\"]}]|conditions[1].type|conditions[1].type is required"
    })
    void everyBadConditionIsA400NamingItsField(String conditions, String field, String detail) {
        ProblemException problem = refused(conditions);
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.fields()).containsEntry("field", field);
        if (detail != null) {
            assertThat(problem.getMessage()).isEqualTo(detail);
        }
    }

    @Test
    void regexErrorsQuoteTheCompilerAndUnknownAttributesListTheKnownOnes() {
        assertThat(refused("[{\"type\":\"attribute\",\"attribute\":\"user.id\",\"op\":\"regex\",\"value\":\"([a-z\"}]")
                .getMessage()).startsWith("conditions[0].value is not a valid regular expression: ");
        assertThat(refused("[{\"type\":\"attribute\",\"attribute\":\"user.shoe_size\",\"op\":\"eq\",\"value\":1}]")
                .getMessage()).startsWith("conditions[0].attribute 'user.shoe_size' is not a known attribute (user.id, ");
        assertThat(refused("[{\"type\":\"weather\"}]").getMessage()).isEqualTo("conditions[0].type 'weather' is not a "
                + "condition type (agent_tags, attribute, country, date_range, environment, ip, platform, role, team, time_window)");
    }

    @Test
    void targetsAndEffectsAreChecked() throws Exception {
        assertThatThrownBy(() -> PolicyValidator.target(JSON.readTree("{\"platforms\":[\"fax\"]}"), "target"))
                .isInstanceOf(ProblemException.class)
                .hasMessage("target.platforms: 'fax' is not a platform (custom_http, discord, notion, slack, teams, telegram)");
        assertThatThrownBy(() -> PolicyValidator.target(JSON.readTree("{\"users\":[\"x\"]}"), "target"))
                .hasMessage("target.users is not a field of a target");
        assertThatThrownBy(() -> PolicyValidator.effect("permit", "effect")).hasMessage("effect must be allow or deny");
        assertThatThrownBy(() -> PolicyValidator.matchAll("most", "match")).hasMessage("match must be all or any");
        assertThatThrownBy(() -> PolicyValidator.strategy("RANDOM", "combining_strategy"))
                .hasMessage("combining_strategy must be one of DENY_OVERRIDES, ALLOW_OVERRIDES, FIRST_APPLICABLE");
    }

    @Test
    void validConditionsOfEveryTypeCompile() throws Exception {
        assertThat(PolicyValidator.conditions(JSON.readTree("""
                [{"type": "time_window", "days": ["mon", "Friday"], "start_time": "09:00", "end_time": "17:30", "timezone": "Europe/Paris"},
                 {"type": "date_range", "start": "2025-12-25T00:00:00Z", "end": "2025-12-26T00:00:00Z"},
                 {"type": "environment", "environments": ["production"]},
                 {"type": "platform", "platforms": ["Teams"]},
                 {"type": "agent_tags", "tags": ["hr"]},
                 {"type": "ip", "cidrs": ["10.0.0.0/8", "2001:db8::/32", "203.0.113.7"]},
                 {"type": "country", "countries": ["us", "CA"]},
                 {"type": "role", "roles": ["developer"], "negate": true},
                 {"type": "team", "teams": ["team-a"]},
                 {"type": "attribute", "attribute": "time.hour", "op": "gte", "value": 17}]
                """), "conditions")).hasSize(10);
    }

    @Test
    void theDocumentedPatternsNameExactlyTheValuesTheChecksTake() {
        PolicyValidator.ENVIRONMENTS.forEach(name -> assertThat(name).matches(PolicyValidator.ENVIRONMENT_PATTERN));
        assertThat(PolicyValidator.ENVIRONMENT_PATTERN.split("\\|")).hasSize(PolicyValidator.ENVIRONMENTS.size());
        PolicyValidator.PLATFORMS.forEach(name -> assertThat(name).matches(PolicyValidator.PLATFORM_PATTERN));
        assertThat(PolicyValidator.PLATFORM_PATTERN.split("\\|")).hasSize(PolicyValidator.PLATFORMS.size());
        io.kaizen.governance.trigger.SensitiveDataDetector.ids().forEach(id -> assertThat(id)
                .matches(io.kaizen.governance.trigger.SensitiveDataDetector.ID_PATTERN));
        assertThat(io.kaizen.governance.trigger.SensitiveDataDetector.ID_PATTERN.split("\\|"))
                .hasSize(io.kaizen.governance.trigger.SensitiveDataDetector.ids().size());
    }
}
