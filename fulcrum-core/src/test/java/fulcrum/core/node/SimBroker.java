package fulcrum.core.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The broker of the simulations, reduced to what the guarantees depend on: durable FIFO queues
 * whose deliveries stay unacknowledged until acked, and come back to the front of their queue
 * (redelivered) when their consumer dies or its channel is replaced. Nothing here is lost by the
 * broker itself; losses are injected by the simulation (an unconfirmed publish may or may not
 * arrive).
 */
final class SimBroker {
    /** A message in a queue; {@code body} is whatever the simulation sends. */
    record Message(long id, Object body) {
    }

    /** A delivery: the message and the consumer-side tag and epoch it was delivered with. */
    record Delivery(Message message, long tag, long epoch) {
    }

    static final class Queue {
        final String name;
        final Deque<Message> ready = new ArrayDeque<>();
        final TreeMap<Long, Delivery> unacked = new TreeMap<>();
        long nextTag;
        long epoch;

        Queue(String name) {
            this.name = name;
        }

        int depth() {
            return ready.size() + unacked.size();
        }
    }

    private final Map<String, Queue> queues = new HashMap<>();
    private long nextMessageId;

    Queue queue(String name) {
        return queues.computeIfAbsent(name, Queue::new);
    }

    void publish(String queue, Object body) {
        queue(queue).ready.addLast(new Message(++nextMessageId, body));
    }

    /** Up to {@code max} deliveries from {@code queue} (the consumer's prefetch window permitting). */
    List<Delivery> deliver(String queueName, int max, int prefetch) {
        Queue q = queue(queueName);
        List<Delivery> out = new ArrayList<>();
        while (out.size() < max && q.unacked.size() < prefetch && !q.ready.isEmpty()) {
            Delivery d = new Delivery(q.ready.removeFirst(), ++q.nextTag, q.epoch);
            q.unacked.put(d.tag(), d);
            out.add(d);
        }
        return out;
    }

    /** Acks one delivery; a tag of an older epoch is refused, as RabbitMQ closes the channel for it. */
    void ack(String queueName, long epoch, long tag) {
        Queue q = queue(queueName);
        if (epoch != q.epoch) {
            throw new AssertionError("ack of tag " + tag + " from epoch " + epoch + " on " + queueName + " (epoch " + q.epoch + ")");
        }
        if (q.unacked.remove(tag) == null) {
            throw new AssertionError("ack of unknown tag " + tag + " on " + queueName);
        }
    }

    void requeue(String queueName, long epoch, long tag) {
        Queue q = queue(queueName);
        if (epoch != q.epoch) {
            return;
        }
        Delivery d = q.unacked.remove(tag);
        if (d != null) {
            q.ready.addFirst(d.message());
        }
    }

    /** The consumer died or its channel was replaced: everything unacked comes back, in order, first. */
    void recover(String queueName) {
        Queue q = queue(queueName);
        List<Delivery> back = new ArrayList<>(q.unacked.values());
        q.unacked.clear();
        for (int i = back.size() - 1; i >= 0; i--) {
            q.ready.addFirst(back.get(i).message());
        }
        q.epoch++;
        q.nextTag = 0;
    }

    int depth(String queueName) {
        return queue(queueName).depth();
    }

    long epoch(String queueName) {
        return queue(queueName).epoch;
    }
}
