package fulcrum.store;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Streams the entries under a prefix a page at a time, each page through a fresh RocksDB iterator
 * that is closed before the page is handed out: a caller that stops half-way leaks nothing native,
 * and memory holds one page. Pages resume after the last key read, so on a live store a stream
 * sees each key once but not one point in time (a snapshot view is for that).
 */
final class PagedIterator<T> implements Iterator<T> {
    private final Reads reads;
    private final byte[] prefix;
    private final Reads.Decoder<T> decoder;
    private final ArrayDeque<T> page = new ArrayDeque<>();
    private byte[] from;
    private boolean exhausted;

    PagedIterator(Reads reads, byte[] prefix, Reads.Decoder<T> decoder) {
        this.reads = reads;
        this.prefix = prefix;
        this.decoder = decoder;
        this.from = prefix;
    }

    @Override
    public boolean hasNext() {
        while (page.isEmpty() && !exhausted) {
            int[] seen = {0};
            reads.scan(prefix, from, (k, v) -> {
                T item = decoder.decode(k, v);
                if (item != null) {
                    page.add(item);
                }
                from = Keys.successor(k);
                return ++seen[0] < Reads.PAGE;
            });
            exhausted = seen[0] < Reads.PAGE;
        }
        return !page.isEmpty();
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return page.poll();
    }

    /** Maps each item; an item that maps to null (gone meanwhile) is skipped. */
    static final class Mapped<A, B> implements Iterator<B> {
        private final Iterator<A> source;
        private final Function<A, B> mapping;
        private B ahead;

        Mapped(Iterator<A> source, Function<A, B> mapping) {
            this.source = source;
            this.mapping = mapping;
        }

        @Override
        public boolean hasNext() {
            while (ahead == null && source.hasNext()) {
                ahead = mapping.apply(source.next());
            }
            return ahead != null;
        }

        @Override
        public B next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            B out = ahead;
            ahead = null;
            return out;
        }
    }

    /** The elements of each list of a source of lists, in order. */
    static final class Flattened<T> implements Iterator<T> {
        private final Iterator<? extends List<T>> source;
        private Iterator<T> current = java.util.Collections.emptyIterator();

        Flattened(Iterator<? extends List<T>> source) {
            this.source = source;
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext() && source.hasNext()) {
                current = source.next().iterator();
            }
            return current.hasNext();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }
    }
}
