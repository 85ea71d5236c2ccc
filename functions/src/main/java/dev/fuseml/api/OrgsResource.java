package dev.fuseml.api;

import dev.fuseml.broker.Brokers;
import dev.fuseml.org.OrgStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

@Path("/api/v1/orgs")
@Produces(MediaType.APPLICATION_JSON)
public class OrgsResource {
    public record CreateOrg(String name) {
    }

    private final OrgStore orgs;
    private final Brokers broker;
    private final dev.fuseml.org.OrgProvisioner provisioner;

    public OrgsResource(OrgStore orgs, Brokers broker, dev.fuseml.org.OrgProvisioner provisioner) {
        this.orgs = orgs;
        this.broker = broker;
        this.provisioner = provisioner;
    }

    /** The orgs the request's token reaches. */
    @GET
    public List<OrgStore.Org> list(@jakarta.ws.rs.core.Context io.vertx.ext.web.RoutingContext context) {
        dev.fuseml.auth.Principal principal = dev.fuseml.auth.Principal.of(context);
        return orgs.list().stream().filter(o -> principal.reaches(o.name())).toList();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CreateOrg request) throws Exception {
        if (request == null || request.name() == null) {
            throw new IllegalArgumentException("send {\"name\": \"ORG\"}");
        }
        boolean existed = orgs.exists(request.name());
        OrgStore.Org org = orgs.create(request.name());
        provisioner.provision(org.name()); // on a cluster: its namespace, Broker, Triggers, RoleBinding, Secret
        broker.addOrg(org.name());
        return Response.status(existed ? Response.Status.OK : Response.Status.CREATED).entity(org).build();
    }
}
