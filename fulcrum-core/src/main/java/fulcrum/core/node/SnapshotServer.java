package fulcrum.core.node;

import fulcrum.core.protocol.SnapshotChunk;
import fulcrum.core.protocol.SnapshotRequest;
import fulcrum.core.store.SnapshotPage;
import fulcrum.core.store.SnapshotView;
import fulcrum.core.store.StateReader;
import fulcrum.core.store.StoreMeta;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves joining peers: one point-in-time snapshot of the store per join, read a page per request
 * (the joining replica asks for the next page once it has committed the last one, so it sets the
 * pace and nothing piles up in the broker). A snapshot idle longer than the lease is released; a
 * request for an unknown join (this replica restarted, or the lease ran out) is answered with an
 * error, and the joining replica starts its join again.
 */
final class SnapshotServer {
    private static final class Session {
        final SnapshotView view;
        long lastUsedMillis;
        long nextPage;

        Session(SnapshotView view, long now) {
            this.view = view;
            this.lastUsedMillis = now;
        }
    }

    private final String self;
    private final StateReader store;
    private final int pageItems;
    private final long leaseMillis;
    private final int maxSessions;
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private long pagesServed;

    SnapshotServer(String self, StateReader store, int pageItems, long leaseMillis, int maxSessions) {
        this.self = self;
        this.store = store;
        this.pageItems = pageItems;
        this.leaseMillis = leaseMillis;
        this.maxSessions = maxSessions;
    }

    /** The answer to one page request (never null). */
    SnapshotChunk serve(SnapshotRequest request, boolean serving, long now) {
        if (!serving) {
            return SnapshotChunk.error(self, request.from(), request.requestId(), request.pageNo(), "not serving");
        }
        String key = request.from() + "/" + request.requestId();
        Session session = sessions.get(key);
        if (request.cursor() == null && request.pageNo() == 0) {
            if (session != null) {
                session.view.close();
                sessions.remove(key);
            }
            if (sessions.size() >= maxSessions) {
                return SnapshotChunk.error(self, request.from(), request.requestId(), 0, "busy: " + maxSessions + " joins served");
            }
            session = new Session(store.openSnapshot(), now);
            sessions.put(key, session);
        } else if (session == null) {
            return SnapshotChunk.error(self, request.from(), request.requestId(), request.pageNo(), "unknown join");
        }
        if (request.pageNo() != session.nextPage && request.pageNo() != session.nextPage - 1) {
            return SnapshotChunk.error(self, request.from(), request.requestId(), request.pageNo(),
                    "page " + request.pageNo() + " out of order (next is " + session.nextPage + ")");
        }
        SnapshotPage page;
        try {
            page = session.view.page(request.cursor(), pageItems);
        } catch (IllegalArgumentException e) {
            return SnapshotChunk.error(self, request.from(), request.requestId(), request.pageNo(), "bad cursor");
        }
        session.lastUsedMillis = now;
        session.nextPage = request.pageNo() + 1;
        pagesServed++;
        StoreMeta meta = session.view.meta();
        boolean first = request.pageNo() == 0;
        SnapshotChunk chunk = new SnapshotChunk(self, request.from(), request.requestId(), request.pageNo(),
                first ? meta.appliedSeq() : null, first ? meta.incarnations() : null, page.clocks(), page.cities(),
                page.commands(), page.nextCursor(), null);
        if (page.last()) {
            session.view.close();
            sessions.remove(key);
        }
        return chunk;
    }

    /** Releases snapshots idle longer than the lease. */
    void expire(long now) {
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (now - s.lastUsedMillis > leaseMillis) {
                s.view.close();
                it.remove();
            }
        }
    }

    void closeAll() {
        sessions.values().forEach(s -> s.view.close());
        sessions.clear();
    }

    int open() {
        return sessions.size();
    }

    long pagesServed() {
        return pagesServed;
    }
}
