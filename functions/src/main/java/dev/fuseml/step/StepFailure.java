package dev.fuseml.step;

/** A step cannot go on; the message is shown to the user as the run's cause, so it names the problem and the fix. */
public class StepFailure extends RuntimeException {
    private final String logExcerpt;

    public StepFailure(String cause) {
        this(cause, null);
    }

    public StepFailure(String cause, String logExcerpt) {
        super(cause);
        this.logExcerpt = logExcerpt;
    }

    public String logExcerpt() {
        return logExcerpt;
    }
}
