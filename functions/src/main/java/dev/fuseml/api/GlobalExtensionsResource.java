package dev.fuseml.api;

import dev.fuseml.extension.Extension;
import dev.fuseml.extension.ExtensionStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The global extension registry: every org may read it, an admin changes it (auth/Access). */
@Produces(MediaType.APPLICATION_JSON)
@Path("/api/v1/extensions")
public class GlobalExtensionsResource {
    private final ExtensionStore store;

    public GlobalExtensionsResource(ExtensionStore store) {
        this.store = store;
    }

    @GET
    public ExtensionsResource.Listing list() {
        return new ExtensionsResource.Listing(store.list(Extension.GLOBAL));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(ExtensionsResource.AddExtension request) {
        return ExtensionsResource.added(store, Extension.GLOBAL, request);
    }

    @DELETE
    @Path("/{name}")
    public void delete(@PathParam("name") String name) {
        ExtensionsResource.deleted(store, Extension.GLOBAL, name);
    }
}
