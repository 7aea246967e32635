package fulcrum.core.replica;

/**
 * The kinds of conflict a replica counts when it applies a peer's operation (see
 * {@link Replica#conflicts()} and the table in {@link Replica#applyRemote(java.util.Collection)}).
 * Every one of them is a write that was accepted somewhere and is not (or no longer) what a reader
 * sees, so none is dropped silently.
 */
public enum ConflictKind {
    /** An AddCity arrived while another live city of the same planet had the same name. */
    ADD_NAME_COLLISION,
    /** An UpdateName made two live cities of one planet share a name. */
    RENAME_COLLISION,
    /** An UpdateName lost to a concurrent UpdateName with a higher stamp. */
    NAME_LOST,
    /** An UpdateName replaced a name that a concurrent write had set (the incoming op won). */
    NAME_OVERRIDDEN,
    /** An UpdateNumber lost to a concurrent UpdateNumber with a higher stamp. */
    NUMBER_LOST,
    /** An UpdateNumber replaced a count that a concurrent write had set (the incoming op won). */
    NUMBER_OVERRIDDEN,
    /** An UpdateName or UpdateNumber arrived for a city a concurrent DeleteCity had deleted. */
    UPDATE_AFTER_DELETE,
    /** A DeleteCity removed a city that carried concurrent updates (delete wins). */
    DELETE_OVER_UPDATE,
    /** Two replicas deleted the same city concurrently (harmless; the first delete stamp is kept). */
    CONCURRENT_DELETE
}
