package dev.fuseml.step;

/**
 * Checks the references an event's data names (code, environment, model) against the run's org before a step acts
 * on them: what arrives from outside may name anything, and a step fetches with the deployment's keys. The one
 * implementation is {@code reference.OrgReferences}; it lives outside this package so that the step guard does not
 * depend on what the references point to.
 */
@FunctionalInterface
public interface ReferenceGuard {
    /** For tests of the runner itself, which feed it no references. */
    ReferenceGuard NONE = (ref, data) -> {
    };

    /**
     * @throws StepFailure naming the reference and the org rule when one of {@code data}'s references is not of
     *                     {@code ref}'s org
     */
    void check(RunRef ref, Object data);
}
