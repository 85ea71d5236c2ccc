package dev.fuseml.eventing;

import java.util.List;
import java.util.Optional;

/**
 * The default chain, written once: each step's name, the event that triggers it and the event it emits when done.
 * The default triggers (functions' DefaultChain, config/70), the run projection's step of each event and the roles
 * a process can run are derived from it; each function's {@code @CloudEventMapping} names the same types, which a
 * test checks against this table (annotations take constants only).
 */
public final class Steps {
    public static final String RECEIVE = "receive";
    public static final String BUILD = "build";
    public static final String TRAIN = "train";
    public static final String REGISTER = "register";
    public static final String SERVE = "serve";

    /**
     * One step of the chain.
     *
     * @param trigger the event type its trigger filters on
     * @param emits   the event type it emits when its work is done
     */
    public record Step(String name, String trigger, String emits) {
    }

    public static final List<Step> CHAIN = List.of(
            new Step(RECEIVE, FusemlEvents.PUSH, FusemlEvents.RECEIVED),
            new Step(BUILD, FusemlEvents.RECEIVED, FusemlEvents.BUILT),
            new Step(TRAIN, FusemlEvents.BUILT, FusemlEvents.TRAINED),
            new Step(REGISTER, FusemlEvents.TRAINED, FusemlEvents.REGISTERED),
            new Step(SERVE, FusemlEvents.REGISTERED, FusemlEvents.SERVED));

    /** The step names in chain order. */
    public static final List<String> NAMES = CHAIN.stream().map(Step::name).toList();

    private Steps() {
    }

    public static Optional<Step> named(String name) {
        return CHAIN.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The step whose completion {@code type} announces. */
    public static Optional<Step> emitting(String type) {
        return CHAIN.stream().filter(s -> s.emits().equals(type)).findFirst();
    }
}
