package fulcrum.core.node;

/**
 * Rules of the node that a simulation switches off, one at a time, to show that it would notice:
 * every rule here guards a guarantee, and a schedule that breaks the guarantee must be found when
 * the rule is gone. Production always runs {@link #ALL}; only tests in this package can pick another.
 * Each flag is read at one place of the node.
 *
 * @param causalDelivery     a peer's entry waits for the writes on its planet that its origin had seen
 * @param completeJoin       a joining replica serves only once every peer answered and it holds as much
 *                           of its own previous stream as any of them
 * @param replicatedRefusals a write's {@code STALE} refusal is an entry of the op log (it survives a lost disk)
 * @param recordRefusals     a write's {@code STALE} refusal is recorded as the command's outcome at all
 *                           (without it, neither the dedup reply nor the op-log entry is written)
 * @param sessionCheck       a replica whose planet clock does not dominate the command's required clock
 *                           answers {@code STALE} instead of serving it
 */
record NodeRules(boolean causalDelivery, boolean completeJoin, boolean replicatedRefusals, boolean recordRefusals,
                 boolean sessionCheck) {
    static final NodeRules ALL = new NodeRules(true, true, true, true, true);

    NodeRules withoutCausalDelivery() {
        return new NodeRules(false, completeJoin, replicatedRefusals, recordRefusals, sessionCheck);
    }

    NodeRules withoutCompleteJoin() {
        return new NodeRules(causalDelivery, false, replicatedRefusals, recordRefusals, sessionCheck);
    }

    NodeRules withoutReplicatedRefusals() {
        return new NodeRules(causalDelivery, completeJoin, false, recordRefusals, sessionCheck);
    }

    NodeRules withoutRecordedRefusals() {
        return new NodeRules(causalDelivery, completeJoin, replicatedRefusals, false, sessionCheck);
    }

    NodeRules withoutSessionCheck() {
        return new NodeRules(causalDelivery, completeJoin, replicatedRefusals, recordRefusals, false);
    }
}
