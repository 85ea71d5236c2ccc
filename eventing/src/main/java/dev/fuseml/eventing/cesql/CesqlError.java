package dev.fuseml.eventing.cesql;

/** The error kinds of CESQL v1.0; an evaluation that fails still yields a value (the zero value, usually). */
public enum CesqlError {
    PARSE("parse"), MATH("math"), CAST("cast"), MISSING_FUNCTION("missingFunction"),
    FUNCTION_EVALUATION("functionEvaluation"), MISSING_ATTRIBUTE("missingAttribute"), GENERIC("generic");

    private final String tckName;

    CesqlError(String tckName) {
        this.tckName = tckName;
    }

    /** The name the CESQL TCK uses. */
    public String tckName() {
        return tckName;
    }
}
