package io.kaizen.registry.apikey;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.PermissionAugmentor;
import io.kaizen.common.security.Permissions;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/api-keys")
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

    private final ApiKeyService keys;
    private final CurrentPrincipal caller;
    private final SecurityIdentity identity;

    ApiKeyResource(ApiKeyService keys, CurrentPrincipal caller, SecurityIdentity identity) {
        this.keys = keys;
        this.caller = caller;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.API_KEYS_CREATE)
    @APIResponse(responseCode = "201", description = "Created; the only answer that shows the key",
            content = @Content(schema = @Schema(implementation = CreatedApiKey.class)))
    public Uni<RestResponse<CreatedApiKey>> create(
            @NotNull(message = "request body is required") @Valid CreateApiKeyRequest request) {
        return keys.create(request, caller.get(), PermissionAugmentor.granted(identity))
                // the body holds a secret that must not linger in any cache
                .map(created -> RestResponse.ResponseBuilder.create(RestResponse.Status.CREATED, created)
                        .header("Cache-Control", "no-store").build());
    }

    @GET
    @PermissionsAllowed(Permissions.API_KEYS_READ)
    public Uni<ApiKeyView.Page> list(@QueryParam("page") String page, @QueryParam("limit") String limit) {
        return keys.list(caller.organizationId(), Paging.parse(page, limit, 20, 100));
    }

    @DELETE
    @Path("/{id}")
    @PermissionsAllowed(Permissions.API_KEYS_DELETE)
    public Uni<Void> revoke(@PathParam("id") String id) {
        if (!PrefixedId.isValid(PrefixedId.API_KEY, id)) {
            throw ApiKeyService.notFound(id);
        }
        return keys.revoke(id, caller.get());
    }

    /** A query number read by hand: JAX-RS would answer a non-number with a misleading 404. */
}
