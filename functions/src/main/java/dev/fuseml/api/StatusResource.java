package dev.fuseml.api;

import dev.fuseml.FusemlConfig;
import dev.fuseml.broker.Brokers;
import dev.fuseml.org.OrgStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.Map;

/** What other tools need to talk to this orchestrator: its process, version and each org's broker ingress. */
@Path("/api/v1/status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {
    public static final String VERSION = "0.1.0";

    /** @param sandbox how users' code runs: isolated (and how), or "none: why, and what to do" */
    public record Status(String version, String url, long pid, String dataDir, String defaultOrg,
            Map<String, String> brokers, String sandbox) {
    }

    private final FusemlConfig config;
    private final OrgStore orgs;
    private final Brokers broker;
    private final dev.fuseml.platform.Platform platform;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.port")
    int port;

    public StatusResource(FusemlConfig config, OrgStore orgs, Brokers broker, dev.fuseml.platform.Platform platform) {
        this.platform = platform;
        this.config = config;
        this.orgs = orgs;
        this.broker = broker;
    }

    /**
     * Open to all, as a health check is; what is an org's (its broker) or the machine's (process, data directory)
     * only for a token that reaches it.
     */
    @GET
    public Status status(@jakarta.ws.rs.core.Context io.vertx.ext.web.RoutingContext context) {
        dev.fuseml.auth.Principal principal = dev.fuseml.auth.Principal.of(context);
        Map<String, String> brokers = new LinkedHashMap<>();
        orgs.list().stream().filter(org -> principal.reaches(org.name()))
                .forEach(org -> brokers.put(org.name(), broker.ingress(org.name()).toString()));
        boolean machine = principal.unrestricted();
        return new Status(VERSION, "http://" + config.host() + ":" + port, machine ? ProcessHandle.current().pid() : 0,
                machine ? config.dataDir().toAbsolutePath().toString() : null, config.defaultOrg(), brokers,
                platform.confinement());
    }
}
