package dev.fuseml.mock;

/** What a fake does when called, as knative/func's mocks have a function field per method: a test replaces it. */
@FunctionalInterface
public interface Hook<T, R> {
    R apply(T input) throws Exception;
}
