package fulcrum.admin;

/** The broker did not accept a connection; fulcrum-admin exits 3 with this one-line message. */
public final class BrokerUnreachableException extends Exception {
    private static final long serialVersionUID = 1L;

    public BrokerUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
