package dev.fuseml.api;

import dev.fuseml.extension.Extension;
import dev.fuseml.extension.ExtensionStore;
import dev.fuseml.extension.ToolDetector;
import dev.fuseml.org.OrgStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The extension registry ({@code fuseml extensions}): an org's tools and the global ones (admin only to change).
 * Answers never carry credentials, only whether some are stored.
 */
@Produces(MediaType.APPLICATION_JSON)
@Path("/api/v1/orgs/{org}/extensions")
public class ExtensionsResource {
    /** @param credentials the tool's keys and secrets (a flat map), sealed at rest, never shown again */
    public record AddExtension(String name, String kind, String url, String description,
            Map<String, String> credentials) {
    }

    /** An org's extensions and the global ones it may use. */
    public record Listing(List<Extension> extensions) {
    }

    /** Tools found installed on the platform that are not registered for the org yet. */
    public record Detected(List<ToolDetector.Suggestion> detected) {
    }

    private final ExtensionStore store;
    private final OrgStore orgs;
    private final ToolDetector detector;

    public ExtensionsResource(ExtensionStore store, OrgStore orgs, ToolDetector detector) {
        this.store = store;
        this.orgs = orgs;
        this.detector = detector;
    }

    @GET
    public Listing list(@PathParam("org") String org) {
        requireOrg(org);
        List<Extension> all = new ArrayList<>(store.list(org));
        all.addAll(store.list(Extension.GLOBAL));
        return new Listing(all);
    }

    /** What the platform has installed that neither the org nor the global registry names (by kind and URL). */
    @GET
    @Path("/detected")
    public Detected detected(@PathParam("org") String org) {
        requireOrg(org);
        List<Extension> registered = list(org).extensions();
        return new Detected(detector.detect().stream().filter(s -> registered.stream().noneMatch(e ->
                e.kind().equals(s.kind()) && (s.url() == null || s.url().equals(e.url())))).toList());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(@PathParam("org") String org, AddExtension request) {
        requireOrg(org);
        return added(store, org, request);
    }

    @DELETE
    @Path("/{name}")
    public void delete(@PathParam("org") String org, @PathParam("name") String name) {
        requireOrg(org);
        deleted(store, org, name);
    }

    static Response added(ExtensionStore store, String org, AddExtension request) {
        if (request == null) {
            return ApiError.of(Response.Status.BAD_REQUEST, "send {name, kind, url[, description][, credentials]}");
        }
        try {
            Extension extension = store.put(org, request.name(), request.kind(), request.url(), request.description(),
                    request.credentials());
            return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON).entity(extension).build();
        } catch (IllegalArgumentException e) {
            return ApiError.of(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }

    static void deleted(ExtensionStore store, String org, String name) {
        try {
            if (!store.delete(org, name)) {
                throw ApiError.notFound("there is no extension '" + name + "' in " + (Extension.GLOBAL.equals(org)
                        ? "the global registry" : "org " + org) + " (fuseml extensions lists them)");
            }
        } catch (IllegalArgumentException e) {
            throw new jakarta.ws.rs.WebApplicationException(ApiError.of(Response.Status.BAD_REQUEST, e.getMessage()));
        }
    }

    private void requireOrg(String org) {
        if (!orgs.exists(org)) {
            throw ApiError.notFound("org '" + org + "' does not exist (fuseml orgs lists them)");
        }
    }
}
