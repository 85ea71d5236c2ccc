package dev.fuseml.broker;

import dev.fuseml.auth.Authenticator;
import dev.fuseml.eventing.Tokens;
import dev.fuseml.eventing.broker.DeliverySpec;
import dev.fuseml.eventing.broker.Trigger;
import dev.fuseml.eventing.filter.Filter;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which deliveries carry which token: the system token for the default chain, an org's for its own triggers. */
class BrokerAuthTest {
    private static final String SYSTEM = "fuseml_system-for-tests";
    private static final URI CONTROL_PLANE = URI.create("http://127.0.0.1:8080");
    private final Authenticator auth = new Authenticator(Optional.of(Tokens.sha256("admin")), Optional.of(SYSTEM),
            true, null);
    private final List<Trigger> chain = DefaultChain.triggers(step -> CONTROL_PLANE, CONTROL_PLANE);
    private final BrokerAuth guard = new BrokerAuth(auth, () -> Set.copyOf(chain), () -> Set.of(
            "http://127.0.0.1:8080"));

    private static Trigger applied(String org, String subscriber, URI deadLetterSink) {
        return new Trigger("gate", org, Filter.ALL_EVENTS, URI.create(subscriber),
                DeliverySpec.defaults().withDeadLetterSink(deadLetterSink));
    }

    @Test
    void theDefaultChainsDeliveriesCarryTheSystemToken() {
        Trigger register = chain.stream().filter(t -> t.name().equals("fuseml-register")).findFirst().orElseThrow();
        assertThat(guard.credentials(register, register.subscriber())).contains("Bearer " + SYSTEM);
        assertThat(guard.credentials(register, register.delivery().deadLetterSink())).contains("Bearer " + SYSTEM);
    }

    @Test
    void anOrgsOwnTriggerCarriesThatOrgsTokenToFusemlAndNoTokenElsewhere() {
        URI deadLetters = CONTROL_PLANE.resolve("/api/v1/deadletter");
        Trigger toRegister = applied("workspace", "http://127.0.0.1:8080/register", deadLetters);
        assertThat(guard.credentials(toRegister, toRegister.subscriber()))
                .contains("Bearer " + Tokens.forOrg(SYSTEM, "workspace"));
        assertThat(guard.credentials(toRegister, deadLetters)).contains("Bearer " + Tokens.forOrg(SYSTEM, "workspace"));

        Trigger toGate = applied("workspace", "http://127.0.0.1:9999/gate", deadLetters);
        assertThat(guard.credentials(toGate, toGate.subscriber())).as("a user's own function gets no token").isEmpty();
        assertThat(guard.credentials(toGate, URI.create("http://127.0.0.1:8080/register")))
                .as("nor does an address that is not the trigger's").isEmpty();
    }
}
