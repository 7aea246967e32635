/**
 * Session guarantees (read-your-writes, monotonic reads, monotonic writes, writes-follow-reads), pure:
 * no I/O.
 *
 * <ul>
 *   <li>{@link fulcrum.core.session.SessionState}: what a client session has seen, per planet (clock
 *       and replica); checks every reply; plain-data form for a JSON session file.</li>
 *   <li>{@link fulcrum.core.session.SessionRouting} with {@link fulcrum.core.session.ReplicaKnowledge}:
 *       the router's order of replicas to try for a session's query.</li>
 *   <li>{@link fulcrum.core.session.WriteRouting}: the router's order for a write, a function of the
 *       message alone; with {@link fulcrum.core.session.Admission} (the replica's decision, which
 *       records a write's refusal) it applies every write at most once across the replicas.</li>
 *   <li>{@link fulcrum.core.session.SessionChecker}: checks a recorded history of accepted replies
 *       against the four guarantees (tests, simulations, end-to-end runs).</li>
 * </ul>
 *
 * <h2>How the parts fit (wiring done outside this module)</h2>
 * <ol>
 *   <li>The client sends {@code requiredClock = session.requiredClock(planet)} with every command
 *       and query (wire: {@code CommandCodec.encode(command, requiredClock)}).</li>
 *   <li>The router computes {@code routing.order(planet, required, session's last replica, knowledge)}
 *       for a query and {@code writeRouting.order(commandId, session's last replica)} for a write,
 *       and tries the replicas in that order, moving on after a {@code STALE} answer; it calls {@code knowledge.learn(reply)} on every
 *       reply it forwards, {@code STALE} included.</li>
 *   <li>The worker decides with {@code Admission.decide}: the stored reply of a write it handled
 *       before; else {@code STALE} (with its clock, and recorded for a write) unless
 *       {@code replica.clockOf(planet).dominates(required)}; else execute.</li>
 *   <li>The client accepts a reply only if {@code session.check(reply).accepted()}, then keeps
 *       {@code session = session.observe(reply)}.</li>
 * </ol>
 *
 * <h2>Open points</h2>
 * <ul>
 *   <li>Status messages carry the applied-sequence vector only; they teach the router nothing sound
 *       about planet clocks. Either add the planet clocks to the status message (for
 *       {@link fulcrum.core.session.ReplicaKnowledge#learnStatus}), or have replies carry the
 *       serving replica's applied vector and compare applied vectors with applied vectors (a
 *       replica whose applied vector dominates the one the server had when it answered holds every
 *       operation the server held).</li>
 *   <li>Guarantees are per planet: no causality is tracked across planets.</li>
 * </ul>
 */
package fulcrum.core.session;
