package dev.fuseml.eventing;

import java.util.List;

/**
 * The event contract of the default chain. Type names are stable: triggers written by platform teams filter on them.
 *
 * <pre>
 * push -> receive -> received -> build -> built -> train -> trained -> register -> registered -> serve -> served
 * </pre>
 * Any step may instead emit {@link #FAILED}.
 */
public final class FusemlEvents {
    public static final String PREFIX = "dev.fuseml.";
    public static final String PUSH = PREFIX + "push";
    public static final String RECEIVED = PREFIX + "received";
    public static final String BUILT = PREFIX + "built";
    public static final String TRAINED = PREFIX + "trained";
    public static final String REGISTERED = PREFIX + "registered";
    public static final String SERVED = PREFIX + "served";
    public static final String FAILED = PREFIX + "failed";
    /** Not part of the chain: the control plane announces that an app is being deleted. */
    public static final String DELETED = PREFIX + "deleted";
    /** Not part of the chain: the control plane sets (or lifts) the token the app's prediction URL requires. */
    public static final String PROTECTED = PREFIX + "protected";

    /** Every type of the contract, in chain order; each has a JSON Schema (see {@link EventSchemas}). */
    public static final List<String> TYPES = List.of(PUSH, RECEIVED, BUILT, TRAINED, REGISTERED, SERVED, FAILED,
            DELETED, PROTECTED);

    /** Extension attributes that identify the run; CloudEvents extension names must be lower-case alphanumerics. */
    public static final String EXT_ORG = "fusemlorg";
    public static final String EXT_APP = "fusemlapp";
    public static final String EXT_RUN = "fusemlrun";

    public static final List<String> RUN_EXTENSIONS = List.of(EXT_ORG, EXT_APP, EXT_RUN);

    /** Knative's convention for "where do I send events": the broker ingress URL. */
    public static final String SINK_ENV = "K_SINK";

    private FusemlEvents() {
    }
}
