package io.kaizen.registry.rest;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.security.Permissions;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * The rules registry's checks apply to list items, which annotations cannot say without also becoming Bean
 * Validation constraints (whose messages would replace the checks' own, which name the wire field): an API key's
 * scopes are permissions ({@code ApiKeyService}), a notification channel's {@code to} holds plain addresses and its
 * {@code on} the outcomes {@code completed} and {@code failed} ({@code AgentConfigRules}).
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class RegistryDocument implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        Schema scope = items(schemas.get("CreateApiKeyRequest"), "scopes");
        if (scope != null) {
            scope.setPattern(Permissions.PATTERN);
        }
        Schema address = items(schemas.get("NotifyChannelRequest"), "to");
        if (address != null) {
            address.maxLength(NotificationEvent.Channel.MAX_ADDRESS_LENGTH)
                    .pattern(NotificationEvent.Channel.ADDRESS_PATTERN);
        }
        Schema outcome = items(schemas.get("NotifyChannelRequest"), "on");
        if (outcome != null) {
            outcome.setEnumeration(List.of("completed", "failed"));
        }
    }

    private static Schema items(Schema schema, String property) {
        if (schema == null || schema.getProperties() == null || schema.getProperties().get(property) == null) {
            return null;
        }
        return schema.getProperties().get(property).getItems();
    }
}
