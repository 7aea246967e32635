package fulcrum.core.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The broker of the simulations, reduced to what the guarantees depend on: durable FIFO queues
 * whose deliveries stay unacknowledged until acked, and come back to the front of their queue
 * (redelivered) when their consumer dies or its channel is replaced. Nothing here is lost by the
 * broker itself; losses are injected by the simulation (an unconfirmed publish may or may not
 * arrive).
 *
 * <p>A queue may have several competing consumers (two router copies on the router's queues); each
 * has its own unacknowledged deliveries, tags and channel epoch. A replica's queues have one
 * consumer, {@link #SOLE}, which the methods without a consumer name use. An exclusive queue (a
 * router's reply queue) is {@link #delete}d with its owner, and what is then published to it is
 * dropped, as the default exchange drops a message for a queue that does not exist.
 */
final class SimBroker {
    /** The consumer of a queue that has only one. */
    static final String SOLE = "";

    /** A message in a queue; {@code body} is whatever the simulation sends. */
    record Message(long id, Object body) {
    }

    /** A delivery: the message and the consumer-side tag and epoch it was delivered with. */
    record Delivery(Message message, long tag, long epoch) {
    }

    /** One consumer's side of a queue. */
    static final class Consumer {
        final TreeMap<Long, Delivery> unacked = new TreeMap<>();
        long nextTag;
        long epoch;
    }

    static final class Queue {
        final String name;
        final Deque<Message> ready = new ArrayDeque<>();
        /** Messages delivered at least once (a requeued one stays delivered). */
        final java.util.Set<Long> delivered = new java.util.HashSet<>();
        final Map<String, Consumer> consumers = new LinkedHashMap<>();

        Queue(String name) {
            this.name = name;
        }

        Consumer consumer(String name) {
            return consumers.computeIfAbsent(name, n -> new Consumer());
        }

        int depth() {
            int unacked = 0;
            for (Consumer c : consumers.values()) {
                unacked += c.unacked.size();
            }
            return ready.size() + unacked;
        }
    }

    private final Map<String, Queue> queues = new HashMap<>();
    private long nextMessageId;

    Queue queue(String name) {
        return queues.computeIfAbsent(name, Queue::new);
    }

    /** Publishes to {@code queue}, declaring it if needed (the durable queues always exist). */
    void publish(String queue, Object body) {
        queue(queue).ready.addLast(new Message(++nextMessageId, body));
    }

    /** Publishes to {@code queue} if it exists; a message for a deleted (exclusive) queue is dropped. */
    boolean publishIfExists(String queue, Object body) {
        Queue q = queues.get(queue);
        if (q == null) {
            return false;
        }
        q.ready.addLast(new Message(++nextMessageId, body));
        return true;
    }

    /** Deletes an exclusive queue with what it holds (its owner is gone). */
    void delete(String queue) {
        queues.remove(queue);
    }

    boolean exists(String queue) {
        return queues.containsKey(queue);
    }

    /** Up to {@code max} deliveries from {@code queue} to its sole consumer (the prefetch window permitting). */
    List<Delivery> deliver(String queueName, int max, int prefetch) {
        return deliver(queueName, SOLE, max, prefetch);
    }

    /** Up to {@code max} deliveries from {@code queue} to {@code consumer} (its prefetch window permitting). */
    List<Delivery> deliver(String queueName, String consumer, int max, int prefetch) {
        Queue q = queue(queueName);
        Consumer c = q.consumer(consumer);
        List<Delivery> out = new ArrayList<>();
        while (out.size() < max && c.unacked.size() < prefetch && !q.ready.isEmpty()) {
            Delivery d = new Delivery(q.ready.removeFirst(), ++c.nextTag, c.epoch);
            q.delivered.add(d.message().id());
            c.unacked.put(d.tag(), d);
            out.add(d);
        }
        return out;
    }

    /** Acks one delivery; a tag of an older epoch is refused, as RabbitMQ closes the channel for it. */
    void ack(String queueName, long epoch, long tag) {
        ack(queueName, SOLE, epoch, tag);
    }

    void ack(String queueName, String consumer, long epoch, long tag) {
        Consumer c = queue(queueName).consumer(consumer);
        if (epoch != c.epoch) {
            throw new AssertionError("ack of tag " + tag + " from epoch " + epoch + " on " + queueName + " (epoch " + c.epoch + ")");
        }
        if (c.unacked.remove(tag) == null) {
            throw new AssertionError("ack of unknown tag " + tag + " on " + queueName);
        }
    }

    void requeue(String queueName, long epoch, long tag) {
        requeue(queueName, SOLE, epoch, tag);
    }

    void requeue(String queueName, String consumer, long epoch, long tag) {
        Queue q = queue(queueName);
        Consumer c = q.consumer(consumer);
        if (epoch != c.epoch) {
            return;
        }
        Delivery d = c.unacked.remove(tag);
        if (d != null) {
            q.ready.addFirst(d.message());
        }
    }

    /** The consumer died or its channel was replaced: everything unacked comes back, in order, first. */
    void recover(String queueName) {
        recover(queueName, SOLE);
    }

    void recover(String queueName, String consumer) {
        Queue q = queue(queueName);
        Consumer c = q.consumer(consumer);
        List<Delivery> back = new ArrayList<>(c.unacked.values());
        c.unacked.clear();
        for (int i = back.size() - 1; i >= 0; i--) {
            q.ready.addFirst(back.get(i).message());
        }
        c.epoch++;
        c.nextTag = 0;
    }

    /** The body of the queue's last message if the broker never delivered it yet (a client may still add to it), else null. */
    Object lastUndelivered(String queueName) {
        Queue q = queues.get(queueName);
        Message last = q == null ? null : q.ready.peekLast();
        return last == null || q.delivered.contains(last.id()) ? null : last.body();
    }

    int depth(String queueName) {
        Queue q = queues.get(queueName);
        return q == null ? 0 : q.depth();
    }

    long epoch(String queueName) {
        return epoch(queueName, SOLE);
    }

    long epoch(String queueName, String consumer) {
        return queue(queueName).consumer(consumer).epoch;
    }
}
