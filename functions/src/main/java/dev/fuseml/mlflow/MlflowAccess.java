package dev.fuseml.mlflow;

import dev.fuseml.auth.Principal;

/**
 * Who may see and change which MLflow object. MLflow's paths do not name the org (ids come in bodies and queries), so
 * the request gate admits any token to them and each object is checked here, once it is looked up: an org token
 * reaches its org's experiments, runs and models; a training's run token (see auth/Access.runRefusal) its own run,
 * its app's experiment to read, and the LoggedModels its run logs. What a principal may not see does not exist for
 * it (RESOURCE_DOES_NOT_EXIST, as for an id that was never made), so ids of other orgs cannot be probed.
 */
public final class MlflowAccess {
    private MlflowAccess() {
    }

    public static boolean sees(Principal p, Experiment e) {
        if (p.unrestricted()) {
            return true;
        }
        return p.run() != null ? p.org().equals(e.org()) && p.app().equals(e.slot()) : p.reaches(e.org());
    }

    public static boolean sees(Principal p, TrackedRun r) {
        if (p.unrestricted()) {
            return true;
        }
        return p.run() != null ? p.run().equals(r.id()) && p.org().equals(r.org()) : p.reaches(r.org());
    }

    public static boolean sees(Principal p, LoggedModel m) {
        if (p.unrestricted()) {
            return true;
        }
        return p.run() != null ? p.run().equals(m.sourceRunId()) && p.org().equals(m.org()) : p.reaches(m.org());
    }

    /** Experiments and runs of its own are made by users' tokens; a training's token has its run already. */
    public static void mayCreate(Principal p, String what) {
        if (p.run() != null) {
            throw MlflowError.denied("a training's token (MLFLOW_TRACKING_TOKEN of run " + p.run() + ") logs to its "
                    + "own run only: it cannot create " + what);
        }
    }

    /**
     * Whether {@code p} may read or write artifact files under {@code ORG/SLOT/OWNER}, where OWNER is a run or a
     * LoggedModel of experiment slot SLOT; the gate has checked the org already.
     */
    public static boolean reachesArtifacts(Principal p, TrackingStore store, String org, String slot, String owner) {
        if (p.run() == null) {
            return p.reaches(org);
        }
        if (!p.org().equals(org) || !p.app().equals(slot)) {
            return false;
        }
        return p.run().equals(owner) || store.model(owner).filter(m -> sees(p, m)).isPresent();
    }

    /** Experiment {@code id} as {@code p} may see it; one it may not see does not exist for it. */
    public static Experiment experiment(TrackingStore store, Principal p, String id) {
        return store.experiment(id).filter(e -> sees(p, e))
                .orElseThrow(() -> MlflowError.missing("No Experiment with id=" + id + " exists"));
    }

    /** Run {@code id} as {@code p} may see it. */
    public static TrackedRun run(TrackingStore store, Principal p, String id) {
        return store.run(id).filter(r -> sees(p, r))
                .orElseThrow(() -> MlflowError.missing("Run with id=" + id + " not found"));
    }

    /** LoggedModel {@code id} as {@code p} may see it. */
    public static LoggedModel model(TrackingStore store, Principal p, String id) {
        return store.model(id).filter(m -> sees(p, m))
                .orElseThrow(() -> MlflowError.missing("Logged model with ID '" + id + "' not found."));
    }
}
