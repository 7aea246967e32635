package fulcrum.core.node;

/**
 * Rules of the node that a simulation switches off, one at a time, to show that it would notice:
 * every rule here guards a guarantee, and a schedule that breaks the guarantee must be found when
 * the rule is gone. Production always runs {@link #ALL}; only tests in this package can pick another.
 *
 * @param causalDelivery     a peer's entry waits for the writes on its planet that its origin had seen
 * @param completeJoin       a joining replica serves only once every peer answered and it holds as much
 *                           of its own previous stream as any of them
 * @param replicatedRefusals a write's {@code STALE} refusal is an entry of the op log (it survives a lost disk)
 */
record NodeRules(boolean causalDelivery, boolean completeJoin, boolean replicatedRefusals) {
    static final NodeRules ALL = new NodeRules(true, true, true);
}
