package dev.fuseml.broker;

import dev.fuseml.eventing.Tokens;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.auth.Principal;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.broker.BrokerGuard;
import dev.fuseml.eventing.broker.Trigger;
import io.cloudevents.CloudEvent;

import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The embedded broker's guard: an org's ingress takes a token that reaches the org, and only events of that org (a
 * run's org extension naming another org is refused, also in a subscriber's reply). The deployment's token goes with
 * deliveries of the default chain's own triggers only: a trigger a user applied never carries it anywhere.
 */
final class BrokerAuth implements BrokerGuard {
    private final Authenticator auth;
    private final Supplier<Set<Trigger>> defaults;
    private final Supplier<Set<String>> fuseml;

    /**
     * @param defaults the default chain's triggers as they run
     * @param fuseml   the addresses (scheme://host:port) of FuseML's own functions and control plane
     */
    BrokerAuth(Authenticator auth, Supplier<Set<Trigger>> defaults, Supplier<Set<String>> fuseml) {
        this.auth = auth;
        this.defaults = defaults;
        this.fuseml = fuseml;
    }

    @Override
    public Optional<Refusal> admit(String namespace, String authorization) {
        if (!auth.enabled()) {
            return Optional.empty();
        }
        Optional<Principal> principal = auth.authenticate(authorization);
        if (principal.isEmpty()) {
            return Optional.of(new Refusal(401, authorization == null
                    ? "this broker needs a token: send 'Authorization: Bearer TOKEN' (the CLI sends its own)"
                    : "the token is not valid here: ask an admin for one ('fuseml tokens create --org ORG')"));
        }
        if (!principal.get().reaches(namespace)) {
            return Optional.of(new Refusal(403, "a token of org '" + principal.get().org() + "' cannot send to org '"
                    + namespace + "': send to your org's broker"));
        }
        return Optional.empty();
    }

    @Override
    public Optional<Refusal> accepts(String namespace, CloudEvent event) {
        Object org = event.getExtension(FusemlEvents.EXT_ORG);
        if (org != null && !namespace.equals(org.toString())) {
            return Optional.of(new Refusal(403, "the event names org '" + org + "' (extension "
                    + FusemlEvents.EXT_ORG + ") but was sent to org '" + namespace + "': an org's broker takes "
                    + "events of that org only"));
        }
        return Optional.empty();
    }

    /**
     * The system token for the default chain's own deliveries; for a trigger an org applied, that org's deployment
     * token, and only to FuseML's own addresses (a step it reroutes to, the control plane's dead-letter sink): a
     * user's subscriber elsewhere gets no token at all.
     */
    @Override
    public Optional<String> credentials(Trigger trigger, URI target) {
        boolean own = target.equals(trigger.subscriber()) || target.equals(trigger.delivery().deadLetterSink());
        if (!own) {
            return Optional.empty();
        }
        if (defaults.get().contains(trigger)) {
            return Optional.of(auth.systemAuthorization());
        }
        boolean toFuseml = fuseml.get().contains(target.getScheme() + "://" + target.getAuthority());
        if (!toFuseml || Trigger.ALL_NAMESPACES.equals(trigger.namespace())) {
            return Optional.empty();
        }
        return Optional.of("Bearer " + Tokens.forOrg(auth.systemToken(), trigger.namespace()));
    }
}
