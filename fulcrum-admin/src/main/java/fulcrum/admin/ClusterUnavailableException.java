package fulcrum.admin;

/**
 * The broker answered but the cluster cannot do what was asked (topology missing, a request
 * unroutable or unconfirmed); fulcrum-admin exits 3 with this one-line message.
 */
public final class ClusterUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public ClusterUnavailableException(String message) {
        super(message);
    }

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
