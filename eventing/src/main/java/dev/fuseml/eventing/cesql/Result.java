package dev.fuseml.eventing.cesql;

/**
 * The outcome of evaluating an expression: a value (Boolean, Integer or String) and, when evaluation failed, the
 * first error. As CESQL v1.0 says, a failed evaluation still has a value.
 */
public record Result(Object value, CesqlError error, String detail) {
    static Result ok(Object value) {
        return new Result(value, null, null);
    }

    static Result fail(Object value, CesqlError error, String detail) {
        return new Result(value, error, detail);
    }

    public boolean failed() {
        return error != null;
    }

    /** Carries this result's error (if any) onto another value. */
    Result withValue(Object other) {
        return new Result(other, error, detail);
    }
}
