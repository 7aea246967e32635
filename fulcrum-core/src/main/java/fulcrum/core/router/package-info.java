/**
 * Mos Eisley's decisions, pure: {@link fulcrum.core.router.RouterCore} takes the client messages,
 * the replicas' replies, the broker's returns and the time, and hands out
 * {@link fulcrum.core.router.RouterReady} values saying what to forward, dead-letter, relay and ack
 * (in the manner of etcd raft's Node/Ready). The {@code broker-router} module is the shell that
 * moves bytes between RabbitMQ and this core. Routing orders come from
 * {@link fulcrum.core.session.WriteRouting} (writes) and {@link fulcrum.core.session.SessionRouting}
 * (queries).
 */
package fulcrum.core.router;
