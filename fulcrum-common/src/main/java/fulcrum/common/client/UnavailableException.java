package fulcrum.common.client;

/** The broker or the cluster did not answer in time; the CLIs turn this into exit code 3. */
public final class UnavailableException extends Exception {
    public UnavailableException(String message) {
        super(message, null, false, false);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
