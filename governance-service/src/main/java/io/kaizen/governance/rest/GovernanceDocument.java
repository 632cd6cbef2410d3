package io.kaizen.governance.rest;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

import io.kaizen.common.openapi.WireContract;
import io.kaizen.governance.policy.AttributePath;
import io.kaizen.governance.policy.Condition;
import io.kaizen.governance.policy.PolicyValidator;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * What governance's checks take that annotations cannot say:
 * <ul>
 * <li>a draft policy of {@code POST /api/v1/policies/simulate} is read as a new policy ({@code PolicyValidator}), so
 * it needs what a creation needs, {@code name} and {@code effect}, though the shared {@code PolicyRequest} schema
 * (which patches read too) requires nothing;</li>
 * <li>an organisation's {@code time_zone} is one of the JDK's time-zone ids
 * ({@code GovernanceValidation.timeZone});</li>
 * <li>a policy's {@code conditions} are typed conditions ({@code PolicyValidator.condition}), each an object of the
 * fields of its {@code type}, as the component {@value #CONDITION}.</li>
 * </ul>
 * What stays unsaid: one field against another (a time window's end differs from its start, a date range ends after
 * it starts, an attribute's {@code value} fits its {@code op} and the attribute's type), and case: the checks read
 * days, environments, platforms, countries and operators in any case, the documents list them in lower case (countries
 * in either).
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class GovernanceDocument implements OASFilter {

    static final String CONDITION = "PolicyCondition";
    private static final String DAYS = "^(mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday"
            + "|sunday)$";
    private static final String HH_MM = "^" + PolicyValidator.HH_MM + "$";
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])";
    private static final String HEX = "[0-9A-Fa-f]{1,4}";
    private static final String IPV6 = "((" + HEX + ":){7}" + HEX + "|(" + HEX + ":){1,7}:|(" + HEX + ":){1,6}:" + HEX
            + "|(" + HEX + ":){1,5}(:" + HEX + "){1,2}|(" + HEX + ":){1,4}(:" + HEX + "){1,3}|(" + HEX + ":){1,3}(:"
            + HEX + "){1,4}|(" + HEX + ":){1,2}(:" + HEX + "){1,5}|" + HEX + ":(:" + HEX + "){1,6}|:((:" + HEX
            + "){1,7}|:))";
    /** An IPv4 or IPv6 network (or one address); an IPv6 address with an IPv4 tail is taken but not described. */
    static final String CIDR = "^(" + OCTET + "(\\." + OCTET + "){3}(/(0{0,2}[0-9]|0?[12][0-9]|0?3[0-2]))?|" + IPV6
            + "(/(0{0,2}[0-9]|0?[1-9][0-9]|1[01][0-9]|12[0-8]))?)$";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        Schema drafts = property(schemas.get("SimulationRequest"), "policies");
        if (drafts != null && drafts.getItems() != null) {
            drafts.setItems(OASFactory.createSchema().allOf(List.of(drafts.getItems(),
                    OASFactory.createSchema().required(List.of("name", "effect")))));
        }
        openAPI.getComponents().addSchema(CONDITION, condition());
        // the shared schema, and the copy a creation declares in place (with its required fields)
        List<Schema> policies = new ArrayList<>();
        policies.add(schemas.get("PolicyRequest"));
        if (openAPI.getPaths() != null && openAPI.getPaths().getPathItem("/api/v1/policies") != null
                && openAPI.getPaths().getPathItem("/api/v1/policies").getPOST() != null) {
            var body = openAPI.getPaths().getPathItem("/api/v1/policies").getPOST().getRequestBody();
            body.getContent().getMediaTypes().values().forEach(type -> policies.add(type.getSchema()));
        }
        for (Schema policy : policies) {
            if (property(policy, "conditions") != null) {
                policy.addProperty("conditions", OASFactory.createSchema()
                        .type(List.of(Schema.SchemaType.ARRAY, Schema.SchemaType.NULL)).maxItems(50)
                        .items(OASFactory.createSchema().ref(CONDITION))
                        .description("Typed conditions, all or any of which must hold (match); none always holds"));
            }
        }
        Schema timeZone = property(schemas.get("OrganizationSettings"), "time_zone");
        if (timeZone != null) {
            List<Object> zones = new ArrayList<>(zones());
            if (timeZone.getType() != null && timeZone.getType().contains(Schema.SchemaType.NULL)) {
                zones.add(null); // absent, as everywhere in a request (WireContract may have run first)
            }
            timeZone.setEnumeration(zones);
        }
    }

    private static TreeSet<String> zones() {
        return new TreeSet<>(ZoneId.getAvailableZoneIds());
    }

    static Schema condition() {
        List<Schema> types = new ArrayList<>();
        // a time window's zone is a region or UTC (PolicyValidator.timeWindow): no bare abbreviations
        List<Object> zones = new ArrayList<>(zones().stream().filter(zone -> zone.contains("/") || zone.equals("UTC"))
                .toList());
        types.add(typed("time_window", List.of("start_time", "end_time", "timezone"), Map.of(
                "days", values(text().pattern(DAYS), 0), "start_time", text().pattern(HH_MM),
                "end_time", text().pattern(HH_MM), "timezone", text().enumeration(zones))));
        types.add(typed("date_range", List.of("start", "end"), Map.of("start", text().format("date-time"),
                "end", text().format("date-time"))));
        types.add(typed("environment", List.of("environments"), Map.of("environments",
                values(text().pattern(PolicyValidator.ENVIRONMENT_PATTERN), 1))));
        types.add(typed("platform", List.of("platforms"), Map.of("platforms",
                values(text().pattern(PolicyValidator.PLATFORM_PATTERN), 1))));
        types.add(typed("agent_tags", List.of("tags"), Map.of("tags",
                values(text().pattern(WireContract.NOT_BLANK), 1))));
        List<Object> countries = new ArrayList<>();
        for (String country : Locale.getISOCountries()) {
            countries.add(country);
            countries.add(country.toLowerCase(Locale.ROOT));
        }
        types.add(typed("country", List.of("countries"), Map.of("countries",
                values(text().enumeration(countries), 1))));
        types.add(typed("ip", List.of("cidrs"), Map.of("cidrs", values(text().pattern(CIDR), 1))));
        types.add(typed("role", List.of("roles"), Map.of("roles", values(text().pattern(WireContract.NOT_BLANK), 1))));
        types.add(typed("team", List.of("teams"), Map.of("teams", values(text().pattern(WireContract.NOT_BLANK), 1))));
        List<Object> ops = new ArrayList<>();
        for (Condition.Attribute.Op op : Condition.Attribute.Op.values()) {
            ops.add(op.name().toLowerCase(Locale.ROOT));
        }
        types.add(typed("attribute", List.of("attribute", "op", "value"), Map.of(
                "attribute", text().enumeration(new ArrayList<>(AttributePath.known())),
                "op", text().enumeration(ops),
                "value", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING, Schema.SchemaType.NUMBER,
                        Schema.SchemaType.BOOLEAN, Schema.SchemaType.ARRAY)).description("A number for gt, gte, lt"
                        + " and lte; a non-empty array for in and not_in; a regular expression for regex; a string,"
                        + " number or boolean otherwise"))));
        return OASFactory.createSchema().oneOf(types)
                .description("A condition of a policy: its type and that type's fields; negate inverts it");
    }

    /** One type of condition: the constant {@code type}, optional {@code negate}, and the type's fields only. */
    private static Schema typed(String type, List<String> required, Map<String, Schema> fields) {
        Schema schema = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .addProperty("type", text().enumeration(List.of(type)))
                .addProperty("negate", OASFactory.createSchema().addType(Schema.SchemaType.BOOLEAN)
                        .addType(Schema.SchemaType.NULL));
        new TreeSet<>(fields.keySet()).forEach(name -> schema.addProperty(name, fields.get(name)));
        List<String> all = new ArrayList<>(List.of("type"));
        all.addAll(required);
        return schema.required(all).additionalPropertiesBoolean(Boolean.FALSE);
    }

    /** A list of 1 (or 0) to 500 values. */
    private static Schema values(Schema item, int least) {
        return OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).minItems(least).maxItems(500).items(item);
    }

    private static Schema text() {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING);
    }

    private static Schema property(Schema schema, String name) {
        return schema == null || schema.getProperties() == null ? null : schema.getProperties().get(name);
    }
}
