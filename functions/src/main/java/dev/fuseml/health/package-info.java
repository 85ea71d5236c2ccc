/**
 * What {@code /q/health} says (SmallRye Health): liveness fails only for what a restart cures (the embedded
 * broker's log writer died), readiness for what makes the process unable to take work now (its data directory is
 * not writable; a step function cannot reach its control plane). Each check is a plain class with its
 * collaborators passed in, so its tests need no Quarkus; {@link HealthChecks} binds them to the running process.
 */
package dev.fuseml.health;
