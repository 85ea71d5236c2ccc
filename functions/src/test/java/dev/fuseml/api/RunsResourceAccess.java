package dev.fuseml.api;

/** The long-poll bound, for tests in other packages. */
public final class RunsResourceAccess {
    public static final int MAX_POLLS_PER_TOKEN = RunsResource.MAX_POLLS_PER_TOKEN;

    private RunsResourceAccess() {
    }
}
