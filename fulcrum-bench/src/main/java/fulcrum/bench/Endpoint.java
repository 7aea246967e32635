package fulcrum.bench;

import fulcrum.core.replica.Reply;
import java.io.Closeable;
import java.io.IOException;

/** One client of a system under test: sends a request, and tells when it was answered. */
interface Endpoint extends Closeable {
    /**
     * Sends request {@code sequence} (unique within a run); {@code answer} is called once, on another
     * thread, when the request is answered.
     */
    void send(long sequence, Answer answer) throws IOException;

    /**
     * Called when a request is answered: {@code failure} is null for a success, else why it failed,
     * its kind first ({@code CITY_NOT_FOUND: no city c4 on P4}, {@code nack}, {@code TimeoutException: …}).
     */
    @FunctionalInterface
    interface Answer {
        void answered(String failure);
    }

    /** The failure an error reply stands for, as {@link Answer} takes it: its code, then its message. */
    static String failureOf(Reply reply) {
        return reply.errorCode() + ": " + reply.errorMessage();
    }

    /** Opens one client ({@code index} from 0), each with a connection of its own. */
    @FunctionalInterface
    interface Factory {
        Endpoint open(int index) throws IOException;
    }
}
